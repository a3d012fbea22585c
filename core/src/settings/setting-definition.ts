import { z } from 'zod';
import type { SettingValueType } from '@omni/plugin-sdk';

export type { SettingValueType };

/** A known setting: what it holds, how a value is checked, and who declared it. */
export interface SettingDefinition {
  /** `<category>.<name>` for core settings, `plugin.<pluginId>.<key>` for plugin ones. */
  key: string;
  valueType: SettingValueType;
  category: string;
  description: string;
  /** The value until someone sets one; undefined: none (the setting reads as null). */
  default?: unknown;
  /** Checks a new value after the value-type check. */
  schema?: z.ZodType;
  /** Encrypted at rest and masked in responses and history. */
  secret: boolean;
  /** `core` or the contributing plugin's id. */
  owner: string;
}

const BASE_SCHEMAS: Record<SettingValueType, z.ZodType> = {
  string: z.string().max(10_000),
  integer: z.number().int(),
  number: z.number(),
  boolean: z.boolean(),
  // Any JSON value but null (null means "not set": use DELETE to go back to the default).
  json: z.json().refine((v) => v !== null, 'null is not a value; delete the setting to go back to its default'),
  secret: z.string().min(1).max(10_000),
};

/** The full check for one setting's values: its value type, then its own schema. */
export function valueSchemaOf(def: Pick<SettingDefinition, 'valueType' | 'schema'>): z.ZodType {
  const base = BASE_SCHEMAS[def.valueType];
  return def.schema ? base.pipe(def.schema) : base;
}

export const isSecretSetting = (def: Pick<SettingDefinition, 'valueType' | 'secret'>): boolean => def.valueType === 'secret' || def.secret;
