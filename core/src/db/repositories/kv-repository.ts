import { raw, type FilterQuery } from '@mikro-orm/core';
import { OmniError, type KeyValueStore } from '@omni/plugin-sdk';
import type { Database } from '../create-database.js';
import { KvEntrySchema, type KvEntry } from '../entities/kv-entry.js';

/** Backs each plugin's private `KeyValueStore`. */
export class KvRepository {
  constructor(private readonly db: Database) {}

  forPlugin(pluginId: string): KeyValueStore {
    const { db } = this;
    return {
      async get<T = unknown>(key: string): Promise<T | undefined> {
        const entry = await db.fork().findOne(KvEntrySchema, { pluginId, key });
        return entry ? (entry.value as T) : undefined;
      },

      async set(key: string, value: unknown): Promise<void> {
        if (value === undefined) throw new OmniError('VALIDATION_ERROR', `kv value for "${key}" is undefined; use delete() to remove a key`);
        await db.fork().upsert(KvEntrySchema, { pluginId, key, value, updatedAt: new Date() });
      },

      async delete(key: string): Promise<boolean> {
        return (await db.fork().nativeDelete(KvEntrySchema, { pluginId, key })) > 0;
      },

      async list<T = unknown>(prefix = ''): Promise<Array<{ key: string; value: T }>> {
        const entries = await db.fork().find(KvEntrySchema, { pluginId, ...keyStartsWith(prefix) });
        // Sorted here, by code unit, because PostgreSQL orders text by locale and SQLite by bytes.
        return entries
          .map((entry) => ({ key: entry.key, value: entry.value as T }))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      },

      deletePrefix(prefix: string): Promise<number> {
        return db.fork().nativeDelete(KvEntrySchema, { pluginId, ...keyStartsWith(prefix) });
      },
    };
  }
}

/**
 * A filter for keys that start with `prefix`. The LIKE pattern escapes `%` and `_` (and the escape
 * character); the substr comparison keeps the match case-sensitive, as SQLite's LIKE ignores ASCII case.
 */
function keyStartsWith(prefix: string): FilterQuery<KvEntry> {
  if (prefix === '') return {};
  const pattern = `${prefix.replace(/[!%_]/g, '!$&')}%`;
  const length = [...prefix].length; // in code points, as both databases count characters
  return {
    [raw(`?? like ? escape '!' and substr(??, 1, ?) = ?`, ['key', pattern, 'key', length, prefix])]: [],
  };
}
