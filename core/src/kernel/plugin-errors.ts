/** Why a plugin is not running. Each code names one check, like Fastify's FST_ERR_PLUGIN_*. */
export type PluginErrorCode =
  | 'PLUGIN_LOAD_FAILED'
  | 'PLUGIN_INVALID_MANIFEST'
  | 'PLUGIN_DUPLICATE_ID'
  | 'PLUGIN_INCOMPATIBLE'
  | 'PLUGIN_UNKNOWN_SERVICE'
  | 'PLUGIN_INVALID_CONFIG'
  | 'PLUGIN_MISSING_DEPENDENCY'
  | 'PLUGIN_DEPENDENCY_CYCLE'
  | 'PLUGIN_DEPENDENCY_NOT_RUNNING'
  | 'PLUGIN_DUPLICATE_CHANNEL'
  | 'PLUGIN_DUPLICATE_PROVIDER_TYPE'
  | 'PLUGIN_CAPABILITY_MISMATCH'
  | 'PLUGIN_SETUP_FAILED'
  | 'PLUGIN_SETUP_TIMEOUT'
  | 'PLUGIN_STOP_FAILED';

export interface PluginError {
  code: PluginErrorCode;
  message: string;
  details?: unknown;
}

export const pluginError = (code: PluginErrorCode, message: string, details?: unknown): PluginError =>
  details === undefined ? { code, message } : { code, message, details };
