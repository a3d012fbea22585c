import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { requireServiceUrl } from '../testing/require-service.js';
import { createTestDatabase } from '../testing/test-database.js';
import type { Database } from './create-database.js';
import { KvEntrySchema } from './entities/kv-entry.js';
import { preparedSqlOf, type SqlStatement } from './prepared-sql.js';
import type { Dialect } from './storage.js';

const postgres = requireServiceUrl('DATABASE_URL');

const INSERT: SqlStatement = { name: 'test_kv_insert', sql: 'insert into plugin_kv (plugin_id, key, value, updated_at) values (?, ?, ?, ?)' };
const SELECT: SqlStatement = { name: 'test_kv_select', sql: 'select key, value, updated_at from plugin_kv where plugin_id = ? order by key' };
const BREAK: SqlStatement = { name: 'test_kv_break', sql: 'update plugin_kv set updated_at = null where plugin_id = ?' };

describe.each<Dialect>(['sqlite', 'postgresql'])('prepared statements (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('on the ORM connection', () => {
    let db: Database;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.fork().nativeDelete(KvEntrySchema, {});
    });

    it('runs many statements at once; one that fails fails alone, the others are stored', async () => {
      const sql = preparedSqlOf(db);
      await sql.run(INSERT, ['other', 'x', JSON.stringify(1), new Date()]);
      const writes = Array.from({ length: 10 }, (_, i) => sql.run(INSERT, ['batch', `k${i}`, JSON.stringify({ i }), new Date()]));
      const broken = sql.run(BREAK, ['other']).then(() => undefined, (err: unknown) => err); // updated_at is NOT NULL
      expect(await Promise.all(writes)).toEqual(Array(10).fill(1));
      expect(String(await broken)).toMatch(/null/i);
      const rows = await sql.all<{ key: string; value: unknown }>(SELECT, ['batch']);
      expect(rows.map((r) => r.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
      // What the ORM reads is what was written, and nothing is left in an open transaction.
      expect(await db.fork().count(KvEntrySchema, { pluginId: 'batch' })).toBe(10);
      expect((await db.fork().findOneOrFail(KvEntrySchema, { pluginId: 'other', key: 'x' })).value).toBe(1);
      if (dialect === 'sqlite') {
        const client = (db.orm.em.getConnection() as AbstractSqlConnection).getKnex().client as { acquireConnection(): Promise<{ inTransaction: boolean }>; releaseConnection(c: unknown): Promise<void> };
        const connection = await client.acquireConnection();
        expect(connection.inTransaction).toBe(false);
        await client.releaseConnection(connection);
      }
    });

    it('waits for an open ORM transaction instead of writing into it or deadlocking', async () => {
      const sql = preparedSqlOf(db);
      let inside: Promise<number> | undefined;
      await db.fork().transactional(async (em) => {
        em.create(KvEntrySchema, { pluginId: 'trx', key: 'orm', value: 'a' } as never);
        await em.flush();
        inside = sql.run(INSERT, ['trx', 'prepared', JSON.stringify('b'), new Date()]);
        await new Promise((r) => setTimeout(r, 50));
      });
      expect(await inside).toBe(1);
      expect((await sql.all<{ key: string }>(SELECT, ['trx'])).map((r) => r.key)).toEqual(['orm', 'prepared']);
    });
  });
});
