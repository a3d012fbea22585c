import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** Whether a plugin is enabled; a row exists once the plugin's state has been set. */
export interface PluginState {
  [OptionalProps]?: 'updatedAt';
  /** The plugin id. */
  id: string;
  enabled: boolean;
  updatedAt: Date;
}

export const PluginStateSchema = new EntitySchema<PluginState>({
  name: 'PluginState',
  tableName: 'plugin_states',
  properties: {
    id: { type: 'string', primary: true },
    enabled: { type: 'boolean' },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
