import { EntitySchema, type OptionalProps, type PrimaryKeyProp } from '@mikro-orm/core';

/** One entry of a plugin's key-value store. */
export interface KvEntry {
  [PrimaryKeyProp]?: ['pluginId', 'key'];
  [OptionalProps]?: 'updatedAt';
  pluginId: string;
  key: string;
  /** Any JSON value; JSON `null` is stored as SQL NULL. */
  value: unknown;
  updatedAt: Date;
}

export const KvEntrySchema = new EntitySchema<KvEntry>({
  name: 'KvEntry',
  tableName: 'plugin_kv',
  properties: {
    pluginId: { type: 'string', primary: true },
    key: { type: 'text', primary: true },
    value: { type: 'json', nullable: true },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
