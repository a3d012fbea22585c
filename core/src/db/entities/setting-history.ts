import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** One change of a setting. Secret values are recorded masked, never in clear or encrypted. */
export interface SettingHistory {
  [OptionalProps]?: 'id' | 'changedAt';
  /** Increasing: the order of changes, even within one millisecond. */
  id: number;
  key: string;
  /** JSON of the value before (null: it had its default). */
  oldValue: string | null;
  /** JSON of the value after (null: reset to its default). */
  newValue: string | null;
  /** The API key that made the change, when the request carried one. */
  changedById: string | null;
  changedByName: string | null;
  reason: string | null;
  ip: string | null;
  changedAt: Date;
}

export const SettingHistorySchema = new EntitySchema<SettingHistory>({
  name: 'SettingHistory',
  tableName: 'setting_history',
  indexes: [{ properties: ['key', 'id'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    key: { type: 'string' },
    oldValue: { type: 'text', nullable: true },
    newValue: { type: 'text', nullable: true },
    changedById: { type: 'string', length: 64, nullable: true },
    changedByName: { type: 'string', nullable: true },
    reason: { type: 'string', length: 500, nullable: true },
    ip: { type: 'string', length: 64, nullable: true },
    changedAt: { type: 'datetime', onCreate: () => new Date() },
  },
});
