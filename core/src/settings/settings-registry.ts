import { OmniError } from '@omni/plugin-sdk';
import { valueSchemaOf, type SettingDefinition } from './setting-definition.js';

/**
 * Every known setting, core and plugin-contributed. A key can be declared once; a plugin's
 * settings stay known while the plugin is loaded, even when it is disabled, so they can be set
 * before it starts.
 */
export class SettingsRegistry {
  readonly #definitions = new Map<string, SettingDefinition>();

  /** Adds definitions, all or none: a duplicate key or a default its own schema refuses throws. */
  register(definitions: readonly SettingDefinition[]): void {
    const seen = new Set<string>();
    for (const def of definitions) {
      const existing = this.#definitions.get(def.key);
      if (existing || seen.has(def.key)) throw new Error(`setting '${def.key}' is already declared${existing ? ` by ${existing.owner}` : ''}`);
      seen.add(def.key);
      if (def.default !== undefined && !valueSchemaOf(def).safeParse(def.default).success) {
        throw new Error(`setting '${def.key}': its default does not pass its own schema`);
      }
    }
    for (const def of definitions) this.#definitions.set(def.key, def);
  }

  find(key: string): SettingDefinition | undefined {
    return this.#definitions.get(key);
  }

  /** The definition, or NOT_FOUND for a key nobody declared. */
  get(key: string): SettingDefinition {
    const def = this.#definitions.get(key);
    if (!def) throw new OmniError('NOT_FOUND', `no setting '${key}'`);
    return def;
  }

  /** Sorted by key. */
  list(): SettingDefinition[] {
    return [...this.#definitions.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
