import { randomBytes } from 'node:crypto';
import { TestHttpClient } from '@omni/plugin-sdk/testing';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from 'koa';
import type { Database } from '../../db/create-database.js';
import { SettingHistorySchema } from '../../db/entities/setting-history.js';
import { SettingSchema } from '../../db/entities/setting.js';
import { SecretCipher } from '../../secrets/secret-cipher.js';
import { CORE_SETTINGS } from '../../settings/core-settings.js';
import { pluginSettingDefinitions } from '../../settings/plugin-settings.js';
import { SettingStore } from '../../settings/setting-store.js';
import { SettingsRegistry } from '../../settings/settings-registry.js';
import { SettingsService } from '../../settings/settings-service.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { startRouteTestServer, type RouteTestServer } from '../../testing/route-test-server.js';
import { errorEnvelopeSchema } from '../error-envelope.js';
import { changeAuthor, settingHistoryEntrySchema, settingSchema, settingsRoutes, settingsSchemaResponse } from './settings-routes.js';

const TOKEN = 'sk-live-0123456789abcdefWXYZ';

describe('settings routes', () => {
  let db: Database;
  let server: RouteTestServer;
  let http: TestHttpClient;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    const registry = new SettingsRegistry();
    registry.register(CORE_SETTINGS);
    registry.register(
      pluginSettingDefinitions('demo', [
        { key: 'api_token', valueType: 'secret', description: 'Token for the demo API' },
        { key: 'limits', valueType: 'json', description: 'Limits', default: { perMinute: 10 }, schema: z.object({ perMinute: z.number().int().positive() }).strict() },
      ]),
    );
    const settings = new SettingsService({ registry, store: new SettingStore(db), cipher: new SecretCipher(randomBytes(32)) });
    server = await startRouteTestServer(settingsRoutes({ settings }));
    http = new TestHttpClient(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });
  beforeEach(async () => {
    await db.fork().nativeDelete(SettingSchema, {});
    await db.fork().nativeDelete(SettingHistorySchema, {});
  });
  afterEach(() => {
    expect(server.errors).toEqual([]);
  });

  const expectError = (res: { status: number; body: unknown }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(errorEnvelopeSchema.parse(res.body).error.code).toBe(code);
  };
  const storedRows = () => db.fork().count(SettingSchema, {});

  it('lists every setting with its value, filtered by category and paged by cursor', async () => {
    const all = await http.get('/api/v2/settings');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { key: string }) => i.key)).toContain('plugin.demo.limits');
    for (const item of all.body.items) settingSchema.parse(item);
    expect(all.body.meta).toEqual({ cursor: null, hasMore: false });

    const first = await http.get('/api/v2/settings?category=startup&limit=2');
    expect(first.body.items.map((i: { key: string }) => i.key)).toEqual(['startup.delay_between_channels_ms', 'startup.health_check_timeout_ms']);
    expect(first.body.meta.hasMore).toBe(true);
    const second = await http.get(`/api/v2/settings?category=startup&limit=2&cursor=${first.body.meta.cursor}`);
    expect(second.body.items.map((i: { key: string }) => i.key)).toEqual(['startup.max_concurrent_connections']);
    expect(second.body.meta).toEqual({ cursor: null, hasMore: false });

    expectError(await http.get('/api/v2/settings?cursor=not-a-cursor'), 400, 'VALIDATION_ERROR');
    expectError(await http.get('/api/v2/settings?limit=0'), 400, 'VALIDATION_ERROR');
  });

  it('puts, gets and deletes a setting; history has the ip, the reason and no actor without an API key', async () => {
    const put = await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { body: { value: 8, reason: 'more parallel' } });
    expect(put.status).toBe(200);
    expect(settingSchema.parse(put.body)).toMatchObject({ key: 'startup.max_concurrent_connections', value: 8, isSet: true, defaultValue: 5 });

    expect((await http.get('/api/v2/settings/startup.max_concurrent_connections')).body.value).toBe(8);

    const del = await http.request('DELETE', '/api/v2/settings/startup.max_concurrent_connections?reason=back');
    expect(del).toMatchObject({ status: 200, body: { success: true } });
    expect((await http.get('/api/v2/settings/startup.max_concurrent_connections')).body).toMatchObject({ value: 5, isSet: false, updatedAt: null });

    const history = await http.get('/api/v2/settings/startup.max_concurrent_connections/history');
    expect(history.status).toBe(200);
    const items = z.array(settingHistoryEntrySchema).parse(history.body.items);
    expect(items.map((h) => [h.oldValue, h.newValue, h.reason])).toEqual([
      [8, null, 'back'],
      [null, 8, 'more parallel'],
    ]);
    expect(items[0]).toMatchObject({ changedBy: null, changedById: null, ip: expect.stringMatching(/127\.0\.0\.1$/) });
    expect((await http.get('/api/v2/settings/startup.max_concurrent_connections/history?limit=1')).body.items).toHaveLength(1);
    expectError(await http.get('/api/v2/settings/startup.max_concurrent_connections/history?since=yesterday'), 400, 'VALIDATION_ERROR');
  });

  it('never answers a secret in clear: put, get, list and history show it masked', async () => {
    const put = await http.request('PUT', '/api/v2/settings/plugin.demo.api_token', { body: { value: TOKEN } });
    expect(put.body).toMatchObject({ value: '••••WXYZ', isSecret: true, valueType: 'secret' });
    const bodies = [
      put,
      await http.get('/api/v2/settings/plugin.demo.api_token'),
      await http.get('/api/v2/settings'),
      await http.get('/api/v2/settings/plugin.demo.api_token/history'),
      await http.get('/api/v2/settings/schema'),
    ];
    for (const res of bodies) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    }
    // Sending the mask back (a form re-submitted as shown) keeps the secret.
    expect((await http.request('PUT', '/api/v2/settings/plugin.demo.api_token', { body: { value: '••••WXYZ' } })).status).toBe(200);
    expect((await http.get('/api/v2/settings/plugin.demo.api_token/history')).body.items).toHaveLength(1);
  });

  it('answers 400 VALIDATION_ERROR for a bad value and 404 for an unknown key, storing nothing', async () => {
    expectError(await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { body: { value: 'eight' } }), 400, 'VALIDATION_ERROR');
    expectError(await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { body: { value: 0 } }), 400, 'VALIDATION_ERROR');
    expectError(await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { body: {} }), 400, 'VALIDATION_ERROR');
    expectError(await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { body: { value: 3, extra: 1 } }), 400, 'VALIDATION_ERROR');
    expectError(await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { rawBody: '{"value":', headers: { 'content-type': 'application/json' } }), 400, 'BAD_REQUEST');
    expectError(await http.request('PUT', '/api/v2/settings/startup.max_concurrent_connections', { rawBody: 'value=3', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await http.request('PUT', '/api/v2/settings/no.such.key', { body: { value: 1 } }), 404, 'NOT_FOUND');
    expectError(await http.request('PUT', `/api/v2/settings/${encodeURIComponent("x'; drop table settings;--")}`, { body: { value: 1 } }), 404, 'NOT_FOUND');
    expectError(await http.get('/api/v2/settings/no.such.key'), 404, 'NOT_FOUND');
    expectError(await http.get('/api/v2/settings/no.such.key/history'), 404, 'NOT_FOUND');
    expectError(await http.request('DELETE', '/api/v2/settings/no.such.key'), 404, 'NOT_FOUND');
    const deep = `{"value":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expectError(await http.request('PUT', '/api/v2/settings/plugin.demo.limits', { rawBody: deep, headers: { 'content-type': 'application/json' } }), 400, 'BAD_REQUEST');
    const invalid = await http.request('PUT', '/api/v2/settings/plugin.demo.limits', { body: { value: { perMinute: -3 } } });
    expectError(invalid, 400, 'VALIDATION_ERROR');
    expect(invalid.body.error.details).toEqual([expect.objectContaining({ path: 'plugin.demo.limits.perMinute' })]);
    expect(await storedRows()).toBe(0);
  });

  it('bulk-patches all or nothing, as a list or as a v1-style record', async () => {
    const bad = await http.request('PATCH', '/api/v2/settings', {
      body: { settings: [{ key: 'startup.max_concurrent_connections', value: 2 }, { key: 'plugin.demo.limits', value: { perMinute: 'x' } }], reason: 'batch' },
    });
    expectError(bad, 400, 'VALIDATION_ERROR');
    expectError(await http.request('PATCH', '/api/v2/settings', { body: { settings: { 'startup.max_concurrent_connections': 2, 'no.such': 1 } } }), 404, 'NOT_FOUND');
    expectError(await http.request('PATCH', '/api/v2/settings', { body: { settings: [] } }), 400, 'VALIDATION_ERROR');
    expectError(await http.request('PATCH', '/api/v2/settings', { body: { settings: {} } }), 400, 'VALIDATION_ERROR');
    expect(await storedRows()).toBe(0);

    const ok = await http.request('PATCH', '/api/v2/settings', { body: { settings: { 'startup.max_concurrent_connections': 2, 'plugin.demo.limits': { perMinute: 99 } }, reason: 'batch' } });
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((i: { key: string; value: unknown }) => [i.key, i.value])).toEqual([
      ['startup.max_concurrent_connections', 2],
      ['plugin.demo.limits', { perMinute: 99 }],
    ]);
    const list = await http.request('PATCH', '/api/v2/settings', { body: { settings: [{ key: 'startup.max_concurrent_connections', value: 4 }] } });
    expect(list.body.items[0].value).toBe(4);
    expect(await storedRows()).toBe(2);
  });

  it('describes every setting in a JSON Schema, with type, default, category and secret flag', async () => {
    const res = await http.get('/api/v2/settings/schema');
    expect(res.status).toBe(200);
    const body = settingsSchemaResponse.parse(res.body);
    const limits = body.items.find((i) => i.key === 'plugin.demo.limits');
    expect(limits).toMatchObject({ valueType: 'json', category: 'demo', owner: 'demo', isSecret: false, default: { perMinute: 10 } });
    expect(limits?.schema).toMatchObject({ type: 'object', properties: { perMinute: { type: 'integer', exclusiveMinimum: 0 } } });
    expect(body.items.find((i) => i.key === 'plugin.demo.api_token')).toMatchObject({ isSecret: true, isRequired: true, valueType: 'secret' });
    expect(body.items.find((i) => i.key === 'startup.max_concurrent_connections')?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000 });
    const properties = body.schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties).sort()).toEqual(body.items.map((i) => i.key).sort());
    expect(properties['setup.completed']).toMatchObject({ type: 'boolean', default: false, 'x-category': 'setup', 'x-secret': false });
    expect(properties['plugin.demo.api_token']).toMatchObject({ type: 'string', 'x-secret': true, writeOnly: true });
  });

  it('takes the actor from the API key authentication set on the request', () => {
    const ctx = { state: { apiKey: { id: 'k1', name: 'deploy bot' } }, ip: '10.0.0.5' } as unknown as Context;
    expect(changeAuthor(ctx, 'why')).toEqual({ actor: { id: 'k1', name: 'deploy bot' }, reason: 'why', ip: '10.0.0.5' });
    expect(changeAuthor({ state: {}, ip: '' } as unknown as Context, undefined)).toEqual({ actor: null, reason: null, ip: null });
    const guarded = { state: { auth: { id: 'k2', name: 'admin', scopes: ['*'], instanceIds: null } }, ip: '::1' } as unknown as Context;
    expect(changeAuthor(guarded, undefined)).toEqual({ actor: { id: 'k2', name: 'admin' }, reason: null, ip: '::1' });
  });
});
