import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, stubChannel, TestHttpClient, type TestKernel } from '@omni/plugin-sdk/testing';
import { ApiKeySchema } from '../db/entities/api-key.js';
import { bootstrapAdminKey } from './bootstrap-admin-key.js';

const { plugin: channel } = stubChannel({ id: 'authtest' });

describe('API keys, scopes and instance restrictions', () => {
  let tk: TestKernel;
  let mine: string;
  let other: string;
  const client = (key: string, bearer = false) => new TestHttpClient(tk.url, bearer ? { authorization: `Bearer ${key}` } : { 'x-api-key': key });
  const createKey = async (body: Record<string, unknown>) => {
    const res = await tk.http.post('/api/v2/api-keys', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; prefix: string; suffix: string };
  };

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [channel], kernel: { rateLimit: 0 } });
    mine = (await tk.createInstance({ channel: 'authtest', name: 'mine' })).id;
    other = (await tk.createInstance({ channel: 'authtest', name: 'other' })).id;
  });
  afterAll(() => tk?.stop());

  it('refuses a missing or unknown key with 401 and leaves health and docs public', async () => {
    const anonymous = new TestHttpClient(tk.url);
    const missing = await anonymous.get('/api/v2/instances');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHORIZED');
    expect((await client('omni_sk_nope').get('/api/v2/instances')).status).toBe(401);
    expect((await anonymous.get('/api/v2/health')).status).toBe(200);
  });

  it('hashes keys at rest, shows the key once and accepts it as x-api-key or Bearer', async () => {
    const created = await createKey({ name: 'reader', scopes: ['instances:read'] });
    expect(created.key).toMatch(/^omni_sk_/);
    const row = await tk.db.fork().findOneOrFail(ApiKeySchema, { id: created.id });
    expect(JSON.stringify(row)).not.toContain(created.key);
    const listed = await tk.http.get('/api/v2/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect(listed.body.items.find((k: { id: string }) => k.id === created.id)).toMatchObject({ prefix: created.key.slice(0, 8), suffix: `...${created.key.slice(-4)}` });
    expect((await client(created.key).get('/api/v2/instances')).status).toBe(200);
    expect((await client(created.key, true).get('/api/v2/instances')).status).toBe(200);
  });

  it('answers 403 FORBIDDEN when the key lacks the scope', async () => {
    const { key } = await createKey({ name: 'reader-2', scopes: ['instances:read'] });
    const res = await client(key).post('/api/v2/messages', { instanceId: mine, to: 'u', text: 'hi' });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required: 'messages:send' } });
    expect((await client(key).get('/api/v2/api-keys')).status).toBe(403);
    const group = await createKey({ name: 'messages-all', scopes: ['messages:*'] });
    expect((await client(group.key).post('/api/v2/messages', { instanceId: mine, to: 'u', text: 'hi' })).status).toBe(200);
  });

  it('keeps a key restricted to some instances away from every other one', async () => {
    const { key } = await createKey({ name: 'one instance', scopes: ['instances:*', 'messages:*', 'events:read'], instanceIds: [mine] });
    const api = client(key);
    const list = await api.get('/api/v2/instances');
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([mine]);
    expect((await api.get(`/api/v2/instances/${mine}`)).status).toBe(200);
    for (const res of [
      await api.get(`/api/v2/instances/${other}`),
      await api.post(`/api/v2/instances/${other}/disconnect`),
      await api.post('/api/v2/messages', { instanceId: other, to: 'u', text: 'hi' }),
      await api.get(`/api/v2/events?instanceId=${other}`),
    ]) {
      expect(res.status).toBe(404);
    }
    const sentElsewhere = await tk.http.post('/api/v2/messages', { instanceId: other, to: 'u', text: 'admin sends' });
    expect((await api.get(`/api/v2/events/${sentElsewhere.body.messageId}`)).status).toBe(404);
    expect((await api.delete(`/api/v2/messages/${sentElsewhere.body.messageId}`)).status).toBe(404);
    const events = await api.get('/api/v2/events');
    expect(events.body.items.every((e: { instanceId: string }) => e.instanceId === mine)).toBe(true);
    expect((await api.post('/api/v2/instances', { name: 'sneaky', channel: 'authtest' })).status).toBe(403);
    expect((await api.get('/api/v2/persons')).status).toBe(403);
  });

  it('revokes, regenerates and expires keys, and audits every step', async () => {
    const created = await createKey({ name: 'rotating', scopes: ['instances:read'] });
    expect((await client(created.key).get('/api/v2/instances', { 'user-agent': 'audit-test' })).status).toBe(200);
    const regenerated = await tk.http.post(`/api/v2/api-keys/${created.id}/regenerate`);
    expect(regenerated.body.key).not.toBe(created.key);
    expect((await client(created.key).get('/api/v2/instances')).status).toBe(401);
    expect((await client(regenerated.body.key).get('/api/v2/instances')).status).toBe(200);
    expect((await tk.http.patch(`/api/v2/api-keys/${created.id}`, { scopes: ['instances:read', 'events:read'] })).status).toBe(200);
    const revoked = await tk.http.delete(`/api/v2/api-keys/${created.id}`);
    expect(revoked.body.success).toBe(true);
    expect((await client(regenerated.body.key).get('/api/v2/instances')).status).toBe(401);

    const audit = await tk.http.get(`/api/v2/api-keys/${created.id}/audit`);
    expect(audit.body.items.map((a: { action: string }) => a.action).reverse()).toEqual(['create', 'use', 'regenerate', 'use', 'update', 'revoke']);
    const use = audit.body.items.find((a: { action: string }) => a.action === 'use');
    expect(use).toMatchObject({ endpoint: 'GET /api/v2/instances', statusCode: 200, ip: expect.stringContaining('127.0.0.1') });
    const onlyUse = await tk.http.get(`/api/v2/api-keys/${created.id}/audit?action=use&limit=1`);
    expect(onlyUse.body.items).toHaveLength(1);
    expect((await tk.http.get(`/api/v2/api-keys/${created.id}`)).body).toMatchObject({ usageCount: 2, revokedAt: expect.any(String) });

    const past = await tk.http.post('/api/v2/api-keys', { name: 'expired', scopes: ['*'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
  });

  it('rejects unknown scopes and unknown instances with 400', async () => {
    expect((await tk.http.post('/api/v2/api-keys', { name: 'x', scopes: ['root'] })).status).toBe(400);
    expect((await tk.http.post('/api/v2/api-keys', { name: 'x', scopes: ['*'], instanceIds: ['nope'] })).status).toBe(400);
  });

  it('bootstraps an admin key once: announced on the first start only, or taken from OMNI_API_KEY', async () => {
    await tk.db.fork().nativeDelete(ApiKeySchema, {});
    const announced: string[] = [];
    await bootstrapAdminKey(tk.kernel.apiKeys, undefined, (k) => announced.push(k), tk.kernel.logger);
    await bootstrapAdminKey(tk.kernel.apiKeys, undefined, (k) => announced.push(k), tk.kernel.logger);
    expect(announced).toHaveLength(1);
    expect((await client(announced[0]!).get('/api/v2/api-keys')).status).toBe(200);
    await bootstrapAdminKey(tk.kernel.apiKeys, tk.apiKey, () => undefined, tk.kernel.logger);
    expect((await tk.http.get('/api/v2/api-keys')).status).toBe(200);
  });
});

describe('rate limits and CORS', () => {
  let tk: TestKernel;
  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [], kernel: { rateLimit: 3, rateLimitWindowSeconds: 60, corsOrigins: ['https://ui.example'] } });
  });
  afterAll(() => tk?.stop());

  it('announces the limit on every response and answers 429 RATE_LIMITED past it, per key', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await tk.http.get('/api/v2/channels');
      statuses.push(last.status);
      expect(last.headers.get('x-ratelimit-limit')).toBe('3');
      expect(Number(last.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(last!.body.error.code).toBe('RATE_LIMITED');
    const key = (await tk.kernel.apiKeys.create({ name: 'fresh', scopes: ['*'] }, {})).key;
    expect((await new TestHttpClient(tk.url, { 'x-api-key': key }).get('/api/v2/channels')).status).toBe(200);
  });

  it('never limits platform webhooks', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const res = await tk.http.post('/api/v2/webhooks/nochannel/noinstance', {});
      statuses.add(res.status);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
    }
    expect([...statuses]).toEqual([404]);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const allowed = await tk.http.fetch('/api/v2/health', { method: 'OPTIONS', headers: { origin: 'https://ui.example', 'access-control-request-method': 'GET' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example');
    const refused = await tk.http.fetch('/api/v2/health', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
