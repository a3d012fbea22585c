import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/create-database.js';
import { SettingHistorySchema } from '../db/entities/setting-history.js';
import { SettingSchema } from '../db/entities/setting.js';
import type { Dialect } from '../db/storage.js';
import { SecretCipher } from '../secrets/secret-cipher.js';
import { expectOmniError } from '../testing/expect-omni-error.js';
import { requireServiceUrl } from '../testing/require-service.js';
import { createTestDatabase } from '../testing/test-database.js';
import { CORE_SETTINGS } from './core-settings.js';
import { pluginSettingDefinitions } from './plugin-settings.js';
import { SettingStore, type ChangeAuthor } from './setting-store.js';
import { SettingsRegistry } from './settings-registry.js';
import { SettingsService } from './settings-service.js';

const postgres = requireServiceUrl('DATABASE_URL');

const TOKEN = 'xoxb-0123456789-secret-token-abcd';
const TOKEN_KEY = 'plugin.demo.api_token';
const LIMITS_KEY = 'plugin.demo.limits';
const author: ChangeAuthor = { actor: { id: 'key-1', name: 'ops' }, reason: 'tuning', ip: '127.0.0.1' };

function newRegistry() {
  const registry = new SettingsRegistry();
  registry.register(CORE_SETTINGS);
  registry.register(
    pluginSettingDefinitions('demo', [
      { key: 'api_token', valueType: 'secret', description: 'Token for the demo API' },
      { key: 'limits', valueType: 'json', description: 'Limits', default: { perMinute: 10 }, schema: z.object({ perMinute: z.number().int().positive() }).strict() },
      { key: 'greeting', valueType: 'string', category: 'messages', description: 'Greeting', default: 'hi', schema: z.string().min(1).max(20) },
    ]),
  );
  return registry;
}

describe.each<Dialect>(['sqlite', 'postgresql'])('settings service (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('persistence', () => {
    let db: Database;
    let cipher: SecretCipher;
    let settings: SettingsService;
    let changes: Array<{ key: string; reset: boolean }>;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      cipher = new SecretCipher(randomBytes(32));
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      const em = db.fork();
      await em.nativeDelete(SettingSchema, {});
      await em.nativeDelete(SettingHistorySchema, {});
      changes = [];
      settings = new SettingsService({ registry: newRegistry(), store: new SettingStore(db), cipher, onChange: (c) => changes.push(c) });
    });

    it('reads the default until a value is set, then the typed value', async () => {
      expect(await settings.get('services.heartbeat_interval_ms')).toBe(30_000);
      expect((await settings.view('services.heartbeat_interval_ms')).isSet).toBe(false);

      const view = await settings.set('services.heartbeat_interval_ms', 5_000, author);
      expect(view).toMatchObject({ key: 'services.heartbeat_interval_ms', value: 5_000, isSet: true, valueType: 'integer', category: 'services', defaultValue: 30_000 });
      expect(view.updatedAt).toBeInstanceOf(Date);
      expect(await settings.get('services.heartbeat_interval_ms')).toBe(5_000);
      expect(changes).toEqual([{ key: 'services.heartbeat_interval_ms', reset: false }]);
    });

    it('refuses values of the wrong type or outside the schema, and unknown keys', async () => {
      await expectOmniError(settings.set('services.heartbeat_interval_ms', '5000', author), 'VALIDATION_ERROR');
      await expectOmniError(settings.set('services.heartbeat_interval_ms', 10, author), 'VALIDATION_ERROR');
      await expectOmniError(settings.set(LIMITS_KEY, { perMinute: -1 }, author), 'VALIDATION_ERROR');
      await expectOmniError(settings.set(LIMITS_KEY, { perMinute: 1, extra: true }, author), 'VALIDATION_ERROR');
      await expectOmniError(settings.set('no.such.setting', 1, author), 'NOT_FOUND');
      expect(await db.fork().count(SettingSchema, {})).toBe(0);
      expect(await db.fork().count(SettingHistorySchema, {})).toBe(0);
      expect(changes).toEqual([]);
    });

    it('stores secrets encrypted, shows them masked, and returns them in clear only to code', async () => {
      const view = await settings.set(TOKEN_KEY, TOKEN, author);
      expect(view).toMatchObject({ value: '••••abcd', isSecret: true, isSet: true });

      const row = await db.fork().findOneOrFail(SettingSchema, { key: TOKEN_KEY });
      expect(row.encrypted).toBe(true);
      expect(row.value).not.toContain(TOKEN);
      expect(row.value.startsWith('enc:v1:')).toBe(true);
      expect(await settings.get(TOKEN_KEY)).toBe(TOKEN);

      const [entry] = await settings.history(TOKEN_KEY, { limit: 10 });
      expect(entry).toMatchObject({ oldValue: null, newValue: '••••abcd' });
      const stored = await db.fork().find(SettingHistorySchema, { key: TOKEN_KEY });
      expect(JSON.stringify(stored)).not.toContain(TOKEN);
    });

    it('keeps a stored secret when its mask is sent back, and refuses a mask with nothing stored', async () => {
      await expectOmniError(settings.set(TOKEN_KEY, '••••abcd', author), 'VALIDATION_ERROR');
      await settings.set(TOKEN_KEY, TOKEN, author);
      await settings.setMany([{ key: TOKEN_KEY, value: '••••abcd' }, { key: 'startup.max_concurrent_connections', value: 9 }], author);
      expect(await settings.get(TOKEN_KEY)).toBe(TOKEN);
      expect(await settings.get('startup.max_concurrent_connections')).toBe(9);
      expect((await settings.history(TOKEN_KEY, { limit: 10 })).length).toBe(1);
    });

    it('answers masked, not with an error, when a secret cannot be decrypted with the current key', async () => {
      await settings.set(TOKEN_KEY, TOKEN, author);
      const other = new SettingsService({ registry: newRegistry(), store: new SettingStore(db), cipher: new SecretCipher(randomBytes(32)) });
      expect((await other.view(TOKEN_KEY)).value).toBe('••••');
      await expect(other.get(TOKEN_KEY)).rejects.toThrow(/not the key it was encrypted with/);
    });

    it('applies a bulk change all or nothing', async () => {
      await expectOmniError(
        settings.setMany(
          [
            { key: 'startup.max_concurrent_connections', value: 3 },
            { key: LIMITS_KEY, value: { perMinute: 'many' } },
          ],
          author,
        ),
        'VALIDATION_ERROR',
      );
      expect(await settings.get('startup.max_concurrent_connections')).toBe(5);
      expect(await db.fork().count(SettingHistorySchema, {})).toBe(0);

      await expectOmniError(settings.setMany([{ key: 'startup.max_concurrent_connections', value: 3 }, { key: 'nope', value: 1 }], author), 'NOT_FOUND');
      expect(await settings.get('startup.max_concurrent_connections')).toBe(5);

      const views = await settings.setMany(
        [
          { key: 'startup.max_concurrent_connections', value: 3 },
          { key: LIMITS_KEY, value: { perMinute: 60 } },
        ],
        author,
      );
      expect(views.map((v) => v.value)).toEqual([3, { perMinute: 60 }]);
      expect(await settings.get(LIMITS_KEY)).toEqual({ perMinute: 60 });
    });

    it('records who, why, from where, old and new value, newest first; an unchanged value records nothing', async () => {
      await settings.set('plugin.demo.greeting', 'hello', author);
      await settings.set('plugin.demo.greeting', 'hello', author);
      await settings.set('plugin.demo.greeting', 'hey', { actor: null, reason: null, ip: '::1' });
      await settings.reset('plugin.demo.greeting', author);
      await settings.reset('plugin.demo.greeting', author);

      const history = await settings.history('plugin.demo.greeting', { limit: 10 });
      expect(history.map((h) => [h.oldValue, h.newValue])).toEqual([
        ['hey', null],
        ['hello', 'hey'],
        [null, 'hello'],
      ]);
      expect(history[1]).toMatchObject({ changedBy: null, changedById: null, reason: null, ip: '::1' });
      expect(history[2]).toMatchObject({ changedBy: 'ops', changedById: 'key-1', reason: 'tuning', ip: '127.0.0.1' });
      expect(await settings.get('plugin.demo.greeting')).toBe('hi');
      expect(changes).toEqual([
        { key: 'plugin.demo.greeting', reset: false },
        { key: 'plugin.demo.greeting', reset: false },
        { key: 'plugin.demo.greeting', reset: true },
      ]);

      expect((await settings.history('plugin.demo.greeting', { limit: 1 })).map((h) => h.newValue)).toEqual([null]);
      expect(await settings.history('plugin.demo.greeting', { limit: 10, since: new Date(Date.now() + 60_000) })).toEqual([]);
      await expectOmniError(settings.history('nope', { limit: 10 }), 'NOT_FOUND');
    });

    it('lists by key with category filter and paging', async () => {
      await settings.set('startup.max_concurrent_connections', 7, author);
      const all = await settings.list();
      expect(all.map((v) => v.key)).toEqual([...all.map((v) => v.key)].sort());
      expect(all.find((v) => v.key === 'startup.max_concurrent_connections')).toMatchObject({ value: 7, isSet: true });
      expect(all.find((v) => v.key === TOKEN_KEY)).toMatchObject({ value: null, isSet: false, isRequired: true });

      const startup = await settings.list({ category: 'startup' });
      expect(startup.map((v) => v.key)).toEqual(['startup.delay_between_channels_ms', 'startup.health_check_timeout_ms', 'startup.max_concurrent_connections']);
      const page = await settings.list({ category: 'startup', after: 'startup.delay_between_channels_ms', limit: 1 });
      expect(page.map((v) => v.key)).toEqual(['startup.health_check_timeout_ms']);
    });

    it('takes concurrent first writes of one key without an error, and cuts long author fields to size', async () => {
      const results = await Promise.all([1, 2, 3, 4].map((n) => settings.set('startup.max_concurrent_connections', n, author)));
      expect(results).toHaveLength(4);
      expect([1, 2, 3, 4]).toContain(await settings.get('startup.max_concurrent_connections'));
      expect(await db.fork().count(SettingSchema, {})).toBe(1);

      await settings.set('plugin.demo.greeting', 'yo', { actor: { id: 'k'.repeat(100), name: 'n'.repeat(400) }, reason: 'r'.repeat(900), ip: '::1' });
      const [entry] = await settings.history('plugin.demo.greeting', { limit: 1 });
      expect([entry?.changedById?.length, entry?.changedBy?.length, entry?.reason?.length]).toEqual([64, 255, 500]);
    });

    it('falls back to the default when a stored value no longer passes the schema', async () => {
      await db.fork().insert(SettingSchema, { key: 'startup.max_concurrent_connections', value: JSON.stringify('lots'), encrypted: false, createdAt: new Date(), updatedAt: new Date() });
      expect(await settings.get('startup.max_concurrent_connections')).toBe(5);
    });
  });
});
