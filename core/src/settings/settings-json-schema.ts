import { z } from 'zod';
import { maskSecret } from '../instances/instance-config.js';
import { isSecretSetting, valueSchemaOf, type SettingDefinition } from './setting-definition.js';

type JsonSchema = Record<string, unknown>;

const toJson = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;

/** A default as the schema shows it: a secret's default is masked like its value. */
const shownDefault = (def: SettingDefinition): unknown =>
  def.default === undefined ? undefined : isSecretSetting(def) ? (typeof def.default === 'string' ? maskSecret(def.default) : '••••') : def.default;

/** One setting's value schema, annotated with what the API shows about it. */
function annotated(def: SettingDefinition): z.ZodType {
  const shown = shownDefault(def);
  return valueSchemaOf(def).meta({
    description: def.description,
    ...(shown === undefined ? {} : { default: shown }),
    'x-category': def.category,
    'x-value-type': def.valueType,
    'x-secret': isSecretSetting(def),
    ...(isSecretSetting(def) ? { writeOnly: true } : {}),
  });
}

/** The JSON Schema of one setting's value. */
export const settingValueJsonSchema = (def: SettingDefinition): JsonSchema => toJson(annotated(def));

/** One JSON Schema document describing every setting as a property of a settings object. */
export const settingsJsonSchema = (defs: readonly SettingDefinition[]): JsonSchema =>
  toJson(z.object(Object.fromEntries(defs.map((d) => [d.key, annotated(d).optional()]))).strict().describe('Every known Omni setting, by key'));

export { shownDefault };
