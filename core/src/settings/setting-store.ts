import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Database } from '../db/create-database.js';
import { SettingHistorySchema, type SettingHistory } from '../db/entities/setting-history.js';
import { SettingSchema, type Setting } from '../db/entities/setting.js';

/** One write: the new stored form (null: delete the row) and what history records. */
export interface SettingWrite {
  key: string;
  /** Null removes the stored value (back to the default). */
  stored: { value: string; encrypted: boolean } | null;
  history: { oldValue: string | null; newValue: string | null };
}

export interface ChangeAuthor {
  actor: { id: string; name: string } | null;
  reason: string | null;
  ip: string | null;
}

export interface HistoryQuery {
  limit: number;
  since?: Date;
}

/** Stored setting values and their change history. */
export class SettingStore {
  constructor(private readonly db: Database) {}

  async get(key: string, em: EntityManager = this.db.fork()): Promise<Setting | null> {
    return em.findOne(SettingSchema, { key });
  }

  async getMany(keys: readonly string[], em: EntityManager = this.db.fork()): Promise<Map<string, Setting>> {
    if (keys.length === 0) return new Map();
    const rows = await em.find(SettingSchema, { key: { $in: [...keys] } });
    return new Map(rows.map((r) => [r.key, r]));
  }

  /**
   * Applies every write and its history row in one transaction: all or nothing. When another
   * writer created one of the rows meanwhile, the transaction runs once more and updates it.
   */
  async apply(writes: readonly SettingWrite[], author: ChangeAuthor): Promise<void> {
    if (writes.length === 0) return;
    try {
      await this.transaction(writes, author);
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      await this.transaction(writes, author);
    }
  }

  private async transaction(writes: readonly SettingWrite[], author: ChangeAuthor): Promise<void> {
    await this.db.fork().transactional(async (em) => {
      const rows = await this.getMany(
        writes.map((w) => w.key),
        em,
      );
      for (const write of writes) {
        const row = rows.get(write.key);
        if (write.stored === null) {
          if (row) em.remove(row);
        } else if (row) {
          row.value = write.stored.value;
          row.encrypted = write.stored.encrypted;
          row.updatedAt = new Date();
        } else {
          em.create(SettingSchema, { key: write.key, ...write.stored });
        }
        em.create(SettingHistorySchema, {
          key: write.key,
          oldValue: write.history.oldValue,
          newValue: write.history.newValue,
          // Cut to the column sizes: a long key name or reason must not fail the change.
          changedById: author.actor?.id.slice(0, 64) ?? null,
          changedByName: author.actor?.name.slice(0, 255) ?? null,
          reason: author.reason?.slice(0, 500) ?? null,
          ip: author.ip?.slice(0, 64) ?? null,
        });
      }
      await em.flush();
    });
  }

  /** Newest first. */
  history(key: string, query: HistoryQuery, em: EntityManager = this.db.fork()): Promise<SettingHistory[]> {
    return em.find(SettingHistorySchema, { key, ...(query.since ? { changedAt: { $gte: query.since } } : {}) }, { orderBy: { id: 'desc' }, limit: query.limit });
  }
}
