import { InstanceSchema } from './instance.js';
import { KvEntrySchema } from './kv-entry.js';
import { PluginStateSchema } from './plugin-state.js';

export const entities = [PluginStateSchema, KvEntrySchema, InstanceSchema];
