import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** A setting's stored value; a setting without a row has its default. */
export interface Setting {
  [OptionalProps]?: 'createdAt' | 'updatedAt';
  key: string;
  /** The value as JSON; for secret settings the `enc:v1:` ciphertext of the JSON. */
  value: string;
  /** True when `value` is ciphertext. */
  encrypted: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const SettingSchema = new EntitySchema<Setting>({
  name: 'Setting',
  tableName: 'settings',
  properties: {
    key: { type: 'string', primary: true },
    value: { type: 'text' },
    encrypted: { type: 'boolean' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
