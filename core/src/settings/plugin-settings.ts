import type { PluginDefinition, PluginSettingDeclaration } from '@omni/plugin-sdk';
import { pluginError, type PluginError } from '../kernel/plugin-errors.js';
import type { SettingDefinition } from './setting-definition.js';
import type { SettingsRegistry } from './settings-registry.js';

/** The settings a plugin declares, under its own namespace `plugin.<pluginId>.<key>`. */
export function pluginSettingDefinitions(pluginId: string, declarations: readonly PluginSettingDeclaration[]): SettingDefinition[] {
  return declarations.map((d) => ({
    key: `plugin.${pluginId}.${d.key}`,
    valueType: d.valueType,
    category: d.category ?? pluginId,
    description: d.description,
    ...(d.default === undefined ? {} : { default: d.default }),
    ...(d.schema ? { schema: d.schema } : {}),
    secret: d.valueType === 'secret' || d.secret === true,
    owner: pluginId,
  }));
}

/** Registers a loaded plugin's settings; a bad declaration (duplicate key, default failing its schema) rejects the plugin. */
export function registerPluginSettings(registry: SettingsRegistry, def: PluginDefinition): PluginError | undefined {
  if (!def.settings?.length) return undefined;
  try {
    registry.register(pluginSettingDefinitions(def.id, def.settings));
    return undefined;
  } catch (err) {
    return pluginError('PLUGIN_INVALID_MANIFEST', `plugin '${def.id}' declares invalid settings: ${err instanceof Error ? err.message : String(err)}`);
  }
}
