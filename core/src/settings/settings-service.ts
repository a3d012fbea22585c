import { OmniError, type Logger } from '@omni/plugin-sdk';
import type { Setting } from '../db/entities/setting.js';
import { isMasked, maskSecret } from '../instances/instance-config.js';
import type { CoreSettingKey, CoreSettingValues } from './core-settings.js';
import { isSecretSetting, valueSchemaOf, type SettingDefinition, type SettingValueType } from './setting-definition.js';
import type { ChangeAuthor, HistoryQuery, SettingStore, SettingWrite } from './setting-store.js';
import type { SettingsRegistry } from './settings-registry.js';

/** Encrypts secret settings at rest (the kernel's AES-256-GCM `SecretCipher`). */
export interface SettingsCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

/** A setting as the API shows it: secrets masked, never in clear. */
export interface SettingView {
  key: string;
  /** The current value (stored, else the default; null when neither); masked for secrets. */
  value: unknown;
  valueType: SettingValueType;
  category: string;
  description: string;
  isSecret: boolean;
  /** Whether a value is stored (false: the default applies). */
  isSet: boolean;
  /** Whether the setting must be set before it is useful: a secret without a default. */
  isRequired: boolean;
  defaultValue: unknown;
  /** Null while the default applies. */
  updatedAt: Date | null;
}

export interface SettingHistoryView {
  id: number;
  key: string;
  /** Null: the default applied. Masked for secrets. */
  oldValue: unknown;
  newValue: unknown;
  changedBy: string | null;
  changedById: string | null;
  changedAt: Date;
  reason: string | null;
  ip: string | null;
}

export interface SettingChange {
  key: string;
  value: unknown;
}

export interface SettingsServiceDeps {
  registry: SettingsRegistry;
  store: SettingStore;
  cipher: SettingsCipher;
  /** Told about every change after it is stored (publishes `settings.changed`). */
  onChange?: (change: { key: string; reset: boolean }) => void;
  logger?: Logger;
}

const MASK_ONLY = '••••';

/**
 * Runtime-editable settings: typed reads for the kernel and plugins, validated writes with
 * history for the API. Secrets are encrypted at rest and only ever leave masked through views.
 */
export class SettingsService {
  constructor(private readonly deps: SettingsServiceDeps) {}

  get registry(): SettingsRegistry {
    return this.deps.registry;
  }

  /** The effective value (stored, else the default, else null), in clear, for the code that uses it. */
  get<K extends CoreSettingKey>(key: K): Promise<CoreSettingValues[K]>;
  get(key: string): Promise<unknown>;
  async get(key: string): Promise<unknown> {
    const def = this.deps.registry.get(key);
    return this.effective(def, await this.deps.store.get(key));
  }

  async view(key: string): Promise<SettingView> {
    const def = this.deps.registry.get(key);
    return this.toView(def, await this.deps.store.get(key));
  }

  /** Every known setting, sorted by key; optionally one category, after a key, at most `limit`. */
  async list(options: { category?: string; after?: string; limit?: number } = {}): Promise<SettingView[]> {
    let defs = this.deps.registry.list();
    if (options.category !== undefined) defs = defs.filter((d) => d.category === options.category);
    if (options.after !== undefined) defs = defs.filter((d) => d.key > options.after!);
    if (options.limit !== undefined) defs = defs.slice(0, options.limit);
    const rows = await this.deps.store.getMany(defs.map((d) => d.key));
    return defs.map((d) => this.toView(d, rows.get(d.key) ?? null));
  }

  async set(key: string, value: unknown, author: ChangeAuthor): Promise<SettingView> {
    const [view] = await this.setMany([{ key, value }], author);
    return view!;
  }

  /**
   * Validates every change first, then stores them all in one transaction (or none).
   * A secret sent back masked, as responses show it, means "unchanged".
   */
  async setMany(changes: readonly SettingChange[], author: ChangeAuthor): Promise<SettingView[]> {
    const keys = changes.map((c) => c.key);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate) throw new OmniError('VALIDATION_ERROR', `setting '${duplicate}' is given twice`, { details: [{ path: duplicate, message: 'given twice' }] });
    const defs = changes.map((c) => this.deps.registry.get(c.key));
    const problems: Array<{ path: string; message: string }> = [];
    const parsed = changes.map((c, i) => {
      const def = defs[i]!;
      if (isSecretSetting(def) && isMasked(c.value)) return { keep: true as const };
      const result = valueSchemaOf(def).safeParse(c.value);
      if (!result.success) {
        for (const issue of result.error.issues) problems.push({ path: [c.key, ...issue.path].join('.'), message: issue.message });
        return { keep: true as const };
      }
      return { keep: false as const, value: result.data };
    });
    if (problems.length > 0) throw new OmniError('VALIDATION_ERROR', 'invalid setting value', { details: problems });

    const rows = await this.deps.store.getMany(keys);
    const writes: SettingWrite[] = [];
    changes.forEach((c, i) => {
      const p = parsed[i]!;
      const def = defs[i]!;
      const row = rows.get(c.key) ?? null;
      if (p.keep) {
        if (!row) throw new OmniError('VALIDATION_ERROR', `setting '${c.key}' has no value to keep: send the secret itself, not its mask`);
        return;
      }
      const old = row ? this.storedValue(row) : undefined;
      if (row && JSON.stringify(old) === JSON.stringify(p.value)) return;
      const secret = isSecretSetting(def);
      const json = JSON.stringify(p.value);
      writes.push({
        key: c.key,
        stored: secret ? { value: this.deps.cipher.encrypt(json), encrypted: true } : { value: json, encrypted: false },
        history: { oldValue: row ? this.historyValue(def, old) : null, newValue: this.historyValue(def, p.value) },
      });
    });
    await this.deps.store.apply(writes, author);
    for (const w of writes) this.deps.onChange?.({ key: w.key, reset: false });
    const after = await this.deps.store.getMany(keys);
    return defs.map((d) => this.toView(d, after.get(d.key) ?? null));
  }

  /** Removes the stored value: the default applies again. Unknown keys are NOT_FOUND. */
  async reset(key: string, author: ChangeAuthor): Promise<SettingView> {
    const def = this.deps.registry.get(key);
    const row = await this.deps.store.get(key);
    if (row) {
      await this.deps.store.apply([{ key, stored: null, history: { oldValue: this.historyValue(def, this.storedValue(row)), newValue: null } }], author);
      this.deps.onChange?.({ key, reset: true });
    }
    return this.toView(def, null);
  }

  async history(key: string, query: HistoryQuery): Promise<SettingHistoryView[]> {
    this.deps.registry.get(key);
    const rows = await this.deps.store.history(key, query);
    return rows.map((r) => ({
      id: r.id,
      key: r.key,
      oldValue: r.oldValue === null ? null : JSON.parse(r.oldValue),
      newValue: r.newValue === null ? null : JSON.parse(r.newValue),
      changedBy: r.changedByName,
      changedById: r.changedById,
      changedAt: r.changedAt,
      reason: r.reason,
      ip: r.ip,
    }));
  }

  private storedValue(row: Setting): unknown {
    return JSON.parse(row.encrypted ? this.deps.cipher.decrypt(row.value) : row.value);
  }

  private effective(def: SettingDefinition, row: Setting | null): unknown {
    if (row) {
      const value = this.storedValue(row);
      // A value stored before the setting's schema tightened: use the default rather than a bad value.
      if (valueSchemaOf(def).safeParse(value).success) return value;
      this.deps.logger?.warn({ setting: def.key }, 'stored setting value no longer passes its schema; using the default');
    }
    return def.default ?? null;
  }

  private historyValue(def: SettingDefinition, value: unknown): string {
    return JSON.stringify(isSecretSetting(def) ? maskValue(value) : value);
  }

  private toView(def: SettingDefinition, row: Setting | null): SettingView {
    const secret = isSecretSetting(def);
    let value: unknown;
    if (!secret) value = this.effective(def, row);
    else if (!row) value = def.default === undefined ? null : maskValue(def.default);
    else {
      try {
        value = maskValue(this.storedValue(row));
      } catch {
        // Undecryptable (the key changed): still masked, and the API keeps answering.
        value = MASK_ONLY;
      }
    }
    return {
      key: def.key,
      value,
      valueType: def.valueType,
      category: def.category,
      description: def.description,
      isSecret: secret,
      isSet: row !== null,
      isRequired: secret && def.default === undefined,
      defaultValue: secret ? (def.default === undefined ? null : maskValue(def.default)) : (def.default ?? null),
      updatedAt: row?.updatedAt ?? null,
    };
  }
}

/** Secrets are strings; any other value marked secret is masked whole. */
const maskValue = (value: unknown): string => (typeof value === 'string' ? maskSecret(value) : MASK_ONLY);
