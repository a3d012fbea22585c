import type { PluginDefinition, PluginRuntime } from '@omni/plugin-sdk';
import type { PluginError } from './plugin-errors.js';

/**
 * What the kernel does with a plugin of one kind once its setup returned: check what setup
 * produced and register it (a channel adapter, an agent provider), and undo that on stop.
 */
export interface KindRegistrar {
  /** Returns why the runtime is unusable, or undefined once it is registered. */
  register(definition: PluginDefinition, runtime: PluginRuntime): Promise<PluginError | undefined>;
  /** Runs before the plugin's own stop(), so dependents can still use it while letting go. */
  unregister(pluginId: string): Promise<void>;
}
