import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyValueStore } from '@omni/plugin-sdk';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/test-database.js';
import { createDatabase, type Database } from './create-database.js';
import { InstanceSchema, type Instance } from './entities/instance.js';
import { KvEntrySchema } from './entities/kv-entry.js';
import { PluginStateSchema } from './entities/plugin-state.js';
import { migrationsByDialect } from './migrations/index.js';
import { InstanceRepository, type CreateInstanceInput } from './repositories/instance-repository.js';
import { KvRepository } from './repositories/kv-repository.js';
import { PluginStateRepository } from './repositories/plugin-state-repository.js';
import type { Dialect } from './storage.js';
import { requireServiceUrl } from '../testing/require-service.js';
import { expectOmniError } from '../testing/expect-omni-error.js';

// PostgreSQL needs DATABASE_URL: without it the suite is skipped locally, and fails in CI.
const postgres = requireServiceUrl('DATABASE_URL');


describe.each<Dialect>(['sqlite', 'postgresql'])('database (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('contract', () => {
    let db: Database;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      const em = db.fork();
      await em.nativeDelete(InstanceSchema, {});
      await em.nativeDelete(KvEntrySchema, {});
      await em.nativeDelete(PluginStateSchema, {});
    });

    describe('migrations and health', () => {
      it('migrates an empty database up to a schema that matches the entities', async () => {
        const fresh = await createTestDatabase(dialect, { migrate: false });
        try {
          const names = migrationsByDialect[dialect].map((m) => m.name);
          expect(names.length).toBeGreaterThan(0);
          expect((await fresh.orm.migrator.getPendingMigrations()).map((m) => m.name)).toEqual(names);
          expect((await fresh.orm.migrator.up()).map((m) => m.name)).toEqual(names);
          expect(await fresh.orm.migrator.getPendingMigrations()).toEqual([]);
          expect((await fresh.orm.schema.getUpdateSchemaSQL()).trim()).toBe('');
        } finally {
          await fresh.close();
        }
      });

      it('reports health with latency, and failure once closed', async () => {
        const health = await db.health();
        expect(health).toEqual({ ok: true, latencyMs: expect.any(Number) });
        expect(health.latencyMs).toBeGreaterThanOrEqual(0);

        const closed = await createTestDatabase(dialect);
        await closed.close();
        expect(await closed.health()).toMatchObject({ ok: false, error: expect.any(String) });
      });

      it('forks a fresh EntityManager each time', () => {
        expect(db.fork()).not.toBe(db.fork());
        expect(db.dialect).toBe(dialect);
      });
    });

    describe('plugin states', () => {
      it('sets, gets and lists', async () => {
        const states = new PluginStateRepository(db);
        expect(await states.get('whatsapp')).toBeNull();

        await states.setEnabled('whatsapp', true);
        await states.setEnabled('discord', false);
        expect(await states.get('whatsapp')).toMatchObject({ id: 'whatsapp', enabled: true, updatedAt: expect.any(Date) });

        await states.setEnabled('whatsapp', false);
        expect((await states.get('whatsapp'))?.enabled).toBe(false);
        expect((await states.list()).map((s) => [s.id, s.enabled])).toEqual([
          ['discord', false],
          ['whatsapp', false],
        ]);
      });
    });

    describe('key-value store', () => {
      let kv: KeyValueStore;
      beforeEach(() => {
        kv = new KvRepository(db).forPlugin('plugin-a');
      });

      it('round-trips JSON values and overwrites', async () => {
        expect(await kv.get('missing')).toBeUndefined();
        for (const value of ['text', 42, 1.5, true, null, [1, 'two'], { nested: { list: [{ deep: 'ü✓' }], empty: {} } }]) {
          await kv.set('key', value);
          expect(await kv.get('key')).toEqual(value);
        }
        expect(await kv.list()).toHaveLength(1);
      });

      it('rejects undefined values', async () => {
        await expectOmniError(kv.set('key', undefined), 'VALIDATION_ERROR');
      });

      it('deletes', async () => {
        await kv.set('key', 1);
        expect(await kv.delete('key')).toBe(true);
        expect(await kv.delete('key')).toBe(false);
        expect(await kv.get('key')).toBeUndefined();
      });

      it('lists by prefix in key order', async () => {
        for (const key of ['user:2', 'user:10', 'session:1', 'user:1']) await kv.set(key, key.length);
        expect(await kv.list('user:')).toEqual([
          { key: 'user:1', value: 6 },
          { key: 'user:10', value: 7 },
          { key: 'user:2', value: 6 },
        ]);
        expect((await kv.list()).map((e) => e.key)).toEqual(['session:1', 'user:1', 'user:10', 'user:2']);
        expect(await kv.list('nothing')).toEqual([]);
      });

      it('treats LIKE wildcards and the escape character in prefixes literally, case-sensitively', async () => {
        for (const key of ['a_', 'a_b', 'ab', 'A_b', 'a%', 'a%b', 'axb', 'a!b', 'a!!', '👋_1', '👋x2']) await kv.set(key, true);
        const keys = async (prefix: string) => (await kv.list(prefix)).map((e) => e.key);
        expect(await keys('a_')).toEqual(['a_', 'a_b']);
        expect(await keys('a%')).toEqual(['a%', 'a%b']);
        expect(await keys('a!')).toEqual(['a!!', 'a!b']);
        expect(await keys('A')).toEqual(['A_b']);
        expect(await keys('👋_')).toEqual(['👋_1']);
        expect(await kv.deletePrefix('a_')).toBe(2);
        expect(await keys('a')).toEqual(['a!!', 'a!b', 'a%', 'a%b', 'ab', 'axb']);
      });

      it('deletes by prefix', async () => {
        for (const key of ['cache:1', 'cache:2', 'config']) await kv.set(key, key);
        expect(await kv.deletePrefix('cache:')).toBe(2);
        expect(await kv.deletePrefix('cache:')).toBe(0);
        expect(await kv.list()).toEqual([{ key: 'config', value: 'config' }]);
      });

      it('keeps plugins apart', async () => {
        const other = new KvRepository(db).forPlugin('plugin-b');
        await kv.set('shared', 'a');
        await other.set('shared', 'b');
        expect(await kv.get('shared')).toBe('a');
        expect(await other.get('shared')).toBe('b');

        expect(await other.deletePrefix('')).toBe(1);
        expect(await other.list()).toEqual([]);
        expect(await kv.list()).toEqual([{ key: 'shared', value: 'a' }]);
        expect(await other.delete('shared')).toBe(false);
        expect(await kv.get('shared')).toBe('a');
      });
    });

    describe('instances', () => {
      let instances: InstanceRepository;
      beforeEach(() => {
        instances = new InstanceRepository(db);
      });
      const input = (name: string, channel = 'whatsapp'): CreateInstanceInput => ({ name, channel, channelConfig: { token: name } });

      it('creates with defaults and reads back by id and name', async () => {
        const created = await instances.create(input('support'));
        expect(created).toMatchObject({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          name: 'support',
          channel: 'whatsapp',
          channelConfig: { token: 'support' },
          agent: null,
          messaging: null,
          media: null,
          isActive: true,
          desiredState: 'connected',
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        });
        const byId = await instances.get(created.id);
        expect(byId).toMatchObject({ id: created.id, name: 'support', createdAt: created.createdAt });
        expect((await instances.getByName('support'))?.id).toBe(created.id);
        expect(await instances.get('00000000-0000-0000-0000-000000000000')).toBeNull();
        expect(await instances.getByName('nobody')).toBeNull();
      });

      it('round-trips nested JSON columns', async () => {
        const agent = { provider: 'openai', options: { model: 'gpt', temperature: 0.2, tools: [{ name: 'search', enabled: true }] } };
        const messaging = { debounce: { ms: 500 }, split: null, greeting: 'olá 👋' };
        const created = await instances.create({ ...input('bot'), agent, messaging, media: { transcribe: [] }, channelConfig: { a: { b: { c: [1, 2, { d: false }] } } } });
        const read = await instances.get(created.id);
        expect(read).toMatchObject({ agent, messaging, media: { transcribe: [] }, channelConfig: { a: { b: { c: [1, 2, { d: false }] } } } });
      });

      it('rejects a duplicate name with CONFLICT, on create and on rename', async () => {
        await instances.create(input('taken'));
        await expectOmniError(instances.create(input('taken', 'discord')), 'CONFLICT');
        const other = await instances.create(input('other'));
        await expectOmniError(instances.update(other.id, { name: 'taken' }), 'CONFLICT');
        expect((await instances.get(other.id))?.name).toBe('other');
      });

      it('updates the given fields, replacing JSON whole', async () => {
        const created = await instances.create({ ...input('edit'), agent: { provider: 'a', keep: true } });
        const updated = await instances.update(created.id, { agent: { provider: 'b' }, desiredState: 'disconnected', isActive: undefined });
        expect(updated).toMatchObject({ agent: { provider: 'b' }, desiredState: 'disconnected', isActive: true, channelConfig: { token: 'edit' } });
        expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
        expect(await instances.get(created.id)).toMatchObject({ agent: { provider: 'b' }, desiredState: 'disconnected', isActive: true });

        await instances.update(created.id, { agent: null, isActive: false });
        expect(await instances.get(created.id)).toMatchObject({ agent: null, isActive: false });
        await expectOmniError(instances.update('00000000-0000-0000-0000-000000000000', { isActive: false }), 'NOT_FOUND');
      });

      it('deletes', async () => {
        const created = await instances.create(input('gone'));
        expect(await instances.delete(created.id)).toBe(true);
        expect(await instances.delete(created.id)).toBe(false);
        expect(await instances.get(created.id)).toBeNull();
      });

      it('lists active instances', async () => {
        await instances.create(input('on'));
        await instances.create({ ...input('off'), isActive: false });
        expect((await instances.listActive()).map((i) => i.name)).toEqual(['on']);
      });

      describe('list', () => {
        const pageThrough = async (options: { channel?: string[]; limit: number }) => {
          const seen: Instance[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 20; page++) {
            const result = await instances.list({ ...options, ...(cursor === undefined ? {} : { cursor }) });
            expect(result.items.length).toBeLessThanOrEqual(options.limit);
            seen.push(...result.items);
            if (result.nextCursor === null) return seen;
            expect(result.nextCursor).toMatch(/^[\w-]+$/);
            cursor = result.nextCursor;
          }
          throw new Error('pagination did not end');
        };

        // Seven instances over three timestamps, so pages break inside runs of equal createdAt.
        const seed = async (): Promise<Instance[]> => {
          for (let i = 0; i < 7; i++) await instances.create(input(`i${i}`, i % 2 === 0 ? 'whatsapp' : 'discord'));
          const em = db.fork();
          const all = await em.find(InstanceSchema, {});
          for (const [i, instance] of all.entries()) instance.createdAt = new Date(Date.UTC(2025, 0, 1 + (i % 3)));
          await em.flush();
          const sorted = await db.fork().find(InstanceSchema, {}, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
          return sorted;
        };

        it('pages by createdAt then id with no duplicates or gaps', async () => {
          const expected = (await seed()).map((i) => i.id);
          for (const limit of [1, 3, 7, 10]) {
            expect((await pageThrough({ limit })).map((i) => i.id)).toEqual(expected);
          }
          const first = await instances.list({ limit: 3 });
          expect(first.items).toHaveLength(3);
          expect(first.nextCursor).not.toBeNull();
          expect(await instances.list({ limit: 7 })).toMatchObject({ nextCursor: null });
        });

        it('filters by channel', async () => {
          const all = await seed();
          const ids = (channels: string[]) => all.filter((i) => channels.includes(i.channel)).map((i) => i.id);
          expect((await pageThrough({ channel: ['discord'], limit: 2 })).map((i) => i.id)).toEqual(ids(['discord']));
          expect((await pageThrough({ channel: ['discord', 'whatsapp'], limit: 2 })).map((i) => i.id)).toEqual(ids(['discord', 'whatsapp']));
          expect((await pageThrough({ channel: [], limit: 50 })).map((i) => i.id)).toEqual(ids(['discord', 'whatsapp']));
          expect(await instances.list({ channel: ['telegram'], limit: 5 })).toEqual({ items: [], nextCursor: null });
        });

        it('rejects a malformed cursor or limit', async () => {
          await expectOmniError(instances.list({ cursor: 'not-a-cursor', limit: 5 }), 'VALIDATION_ERROR');
          await expectOmniError(instances.list({ cursor: Buffer.from('[1,2]').toString('base64url'), limit: 5 }), 'VALIDATION_ERROR');
          await expectOmniError(instances.list({ limit: 0 }), 'VALIDATION_ERROR');
          await expectOmniError(instances.list({ limit: 1.5 }), 'VALIDATION_ERROR');
        });
      });
    });
  });
});

describe('SQLite file database', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-db-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const open = (dataDir: string) => createDatabase({ dataDir, logger: pino({ level: 'silent' }) });

  it('creates <dataDir>/omni.db, uses WAL and a busy timeout, and keeps data across close and reopen', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const first = await open(dataDir);
    expect(first.dialect).toBe('sqlite');
    const created = await new InstanceRepository(first).create({ name: 'kept', channel: 'whatsapp', channelConfig: { deep: { ok: true } } });
    await new KvRepository(first).forPlugin('p').set('k', { v: 1 });
    await new PluginStateRepository(first).setEnabled('p', true);
    await first.close();
    expect((await stat(join(dataDir, 'omni.db'))).isFile()).toBe(true);

    const second = await open(dataDir);
    try {
      expect(await second.orm.migrator.getPendingMigrations()).toEqual([]);
      expect(await new InstanceRepository(second).get(created.id)).toMatchObject({ name: 'kept', channelConfig: { deep: { ok: true } }, createdAt: created.createdAt });
      expect(await new KvRepository(second).forPlugin('p').get('k')).toEqual({ v: 1 });
      expect((await new PluginStateRepository(second).get('p'))?.enabled).toBe(true);

      const connection = second.fork().getConnection();
      expect(await connection.execute('pragma journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await connection.execute('pragma busy_timeout')).toEqual([{ timeout: 5000 }]);
      expect(await connection.execute('pragma synchronous')).toEqual([{ synchronous: 1 }]);
    } finally {
      await second.close();
    }
  });
});
