import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import webhookChannel from '@omni/channel-webhook';
import { createScratchPostgres, deleteNatsNamespace, uniqueNatsNamespace } from '@omni/core/testing';
import { definePlugin } from '@omni/plugin-sdk';
import { startCaptureServer, startTestKernel, type CaptureServer, type TestKernel, type TestKernelOptions } from '@omni/plugin-sdk/testing';
import { backends } from '../support/backends.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'instances-secret-0123456789';
const AGENT_KEY = 'agent-api-key-abcdefghijkl';
const masked = (secret: string) => `••••${secret.slice(-4)}`;

/** A channel with nothing to configure, so listing tests have instances of a second channel. */
const inert = definePlugin({
  id: 'channel-inert',
  version: '1.0.0',
  kind: 'channel',
  compat: { sdk: '^1.0.0' },
  channel: { id: 'inert', name: 'Inert', description: 'test channel', instanceConfig: z.object({}) },
  capabilities: { content: { send: ['text'], receive: ['text'] }, features: [], auth: ['token'], limits: { maxTextLength: 100, maxFileSize: 1 }, events: ['message.received'] },
  setup: () => ({
    adapter: {
      connect: async (i) => i.setStatus({ state: 'connected' }),
      disconnect: async () => undefined,
      send: async () => ({ ok: true as const, externalId: 'x' }),
    },
  }),
});

const PLUGINS = [webhookChannel, inert];

describe.each(backends)('instances API ($name)', ({ backend }) => {
  let tk: TestKernel;
  let outbound: CaptureServer;
  let seq = 0;

  const uniqueName = (label: string) => `inst-${backend}-${label}-${++seq}`;
  const webhookConfig = (secret = SECRET) => ({ secret, outboundUrl: `${outbound.url}/out` });
  const create = (body: Record<string, unknown>) => tk.http.post('/api/v2/instances', body);
  const createWebhook = async (extra: Record<string, unknown> = {}) => {
    const res = await create({ name: uniqueName('wh'), channel: 'webhook', channelConfig: webhookConfig(), ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; name: string; [k: string]: any };
  };
  const inbound = (instanceId: string, secret = SECRET) =>
    tk.http.post(`/api/v2/webhooks/webhook/${instanceId}`, { event: 'message', data: { messageId: `m-${++seq}`, from: '+15550100', text: 'hi' } }, { 'x-webhook-secret': secret });
  const expectNoSecrets = (body: unknown) => {
    const text = JSON.stringify(body);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(AGENT_KEY);
  };

  beforeAll(async () => {
    outbound = await startCaptureServer();
    tk = await startTestKernel({ plugins: PLUGINS, backend });
  });
  afterAll(async () => {
    await tk?.stop();
    await outbound?.close();
  });

  describe('create', () => {
    it('answers 201 with the seed defaults filled in, connected, secrets masked', async () => {
      const name = uniqueName('defaults');
      const res = await create({ name, channel: 'webhook', channelConfig: webhookConfig(), agent: { apiUrl: 'http://127.0.0.1:9/agent', apiKey: AGENT_KEY } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        name,
        channel: 'webhook',
        isActive: true,
        status: 'connected',
        channelConfig: { secret: masked(SECRET), outboundUrl: `${outbound.url}/out`, timeoutMs: 10_000 },
        agent: { apiUrl: 'http://127.0.0.1:9/agent', apiKey: masked(AGENT_KEY), timeout: 60_000, streaming: false },
        messaging: {
          debounceMode: 'disabled',
          debounceMs: 1_000,
          debounceMinMs: 500,
          debounceMaxMs: 2_000,
          enableAutoSplit: true,
          splitDelayMinMs: 300,
          splitDelayMaxMs: 1_000,
          usernamePrefix: false,
        },
        media: { processAudio: true, processImages: true, processVideo: false, processDocuments: true, processOnBlocked: false },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expectNoSecrets(res.body);
      const got = await tk.http.get(`/api/v2/instances/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it('creates an instance without an agent, and keeps given settings over defaults', async () => {
      const res = await create({ name: uniqueName('given'), channel: 'webhook', channelConfig: webhookConfig(), messaging: { debounceMode: 'fixed', debounceMs: 250 }, media: { processVideo: true } });
      expect(res.status).toBe(201);
      expect(res.body.agent).toBeNull();
      expect(res.body.messaging).toMatchObject({ debounceMode: 'fixed', debounceMs: 250, enableAutoSplit: true });
      expect(res.body.media).toMatchObject({ processVideo: true, processAudio: true });
    });

    it('validates channelConfig with the channel plugin schema: 400 with details at channelConfig.<field>', async () => {
      const name = uniqueName('badcfg');
      const res = await create({ name, channel: 'webhook', channelConfig: { secret: 'short', outboundUrl: 'ftp://example.com' } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      const paths = (res.body.error.details as Array<{ path: string }>).map((d) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['channelConfig.secret', 'channelConfig.outboundUrl']));
      const missing = await create({ name, channel: 'webhook' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'channelConfig.secret' }), expect.objectContaining({ path: 'channelConfig.outboundUrl' })]));
      // Nothing was stored: the name is still free.
      expect((await create({ name, channel: 'webhook', channelConfig: webhookConfig() })).status).toBe(201);
    });

    it('refuses an unknown channel with 400, listing the available ones', async () => {
      const res = await create({ name: uniqueName('nochan'), channel: 'telegraph' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'channel', message: expect.stringContaining('webhook') })]);
    });

    it('refuses unknown top-level fields and invalid settings with 400', async () => {
      const extra = await create({ name: uniqueName('extra'), channel: 'webhook', channelConfig: webhookConfig(), colour: 'blue' });
      expect(extra.status).toBe(400);
      expect(extra.body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(extra.body.error.details)).toContain('colour');
      const withId = await create({ id: 'chosen-id', name: uniqueName('extra'), channel: 'webhook', channelConfig: webhookConfig() });
      expect(withId.status).toBe(400);
      const badMode = await create({ name: uniqueName('mode'), channel: 'webhook', channelConfig: webhookConfig(), messaging: { debounceMode: 'sometimes' } });
      expect(badMode.status).toBe(400);
      expect(badMode.body.error.details).toEqual([expect.objectContaining({ path: 'messaging.debounceMode' })]);
      const bothAgents = await create({ name: uniqueName('agent'), channel: 'webhook', channelConfig: webhookConfig(), agent: { providerId: 'p', apiUrl: 'http://127.0.0.1:9' } });
      expect(bothAgents.status).toBe(400);
      const noName = await create({ channel: 'webhook', channelConfig: webhookConfig() });
      expect(noName.status).toBe(400);
      expect(noName.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    });

    it('refuses a duplicate name with 409 CONFLICT, on create and on rename', async () => {
      const first = await createWebhook();
      const dup = await create({ name: first.name, channel: 'webhook', channelConfig: webhookConfig() });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('CONFLICT');
      const second = await createWebhook();
      const rename = await tk.http.patch(`/api/v2/instances/${second.id}`, { name: first.name });
      expect(rename.status).toBe(409);
      expect(rename.body.error.code).toBe('CONFLICT');
      expect((await tk.http.get(`/api/v2/instances/${second.id}`)).body.name).toBe(second.name);
    });
  });

  describe('secrets', () => {
    it('masks the webhook secret and agent.apiKey in every response', async () => {
      const created = await createWebhook({ agent: { apiUrl: 'http://127.0.0.1:9', apiKey: AGENT_KEY } });
      expectNoSecrets(created);
      const responses = [
        await tk.http.get(`/api/v2/instances/${created.id}`),
        await tk.http.get('/api/v2/instances?channel=webhook&limit=200'),
        await tk.http.patch(`/api/v2/instances/${created.id}`, { messaging: { usernamePrefix: true } }),
        await tk.http.get(`/api/v2/instances/${created.id}/status`),
        await tk.http.post(`/api/v2/instances/${created.id}/restart`),
        await tk.http.patch(`/api/v2/instances/${created.id}`, { channelConfig: { secret: SECRET, outboundUrl: 'not a url' } }),
      ];
      for (const res of responses) expectNoSecrets(res.body);
      const listed = responses[1]!.body.items.find((i: { id: string }) => i.id === created.id);
      expect(listed).toMatchObject({ channelConfig: { secret: masked(SECRET) }, agent: { apiKey: masked(AGENT_KEY) } });
    });

    it('keeps the stored secret when a PATCH sends the masked value back: the original secret still authenticates', async () => {
      const created = await createWebhook({ agent: { apiUrl: 'http://127.0.0.1:9', apiKey: AGENT_KEY } });
      const shown = (await tk.http.get(`/api/v2/instances/${created.id}`)).body;
      // Send back the whole view, masks included, with one real change.
      const patched = await tk.http.patch(`/api/v2/instances/${created.id}`, {
        channelConfig: { ...shown.channelConfig, timeoutMs: 5_000 },
        agent: { ...shown.agent, timeout: 30_000 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ channelConfig: { secret: masked(SECRET), timeoutMs: 5_000 }, agent: { apiKey: masked(AGENT_KEY), timeout: 30_000 }, status: 'connected' });

      const stored = await tk.kernel.instances.require(created.id);
      expect(stored.channelConfig.secret).toBe(SECRET);
      expect(stored.agent?.apiKey).toBe(AGENT_KEY);
      expect((await inbound(created.id, SECRET)).status).toBe(200);
      expect((await inbound(created.id, `${SECRET}x`)).status).toBe(401);
    });

    it('applies a new secret sent by PATCH at once: the old one stops working', async () => {
      const created = await createWebhook();
      const NEW_SECRET = 'rotated-secret-9876543210';
      const patched = await tk.http.patch(`/api/v2/instances/${created.id}`, { channelConfig: webhookConfig(NEW_SECRET) });
      expect(patched.status).toBe(200);
      expect(patched.body.channelConfig.secret).toBe(masked(NEW_SECRET));
      expect((await inbound(created.id, SECRET)).status).toBe(401);
      expect((await inbound(created.id, NEW_SECRET)).status).toBe(200);
    });
  });

  describe('get, update, delete', () => {
    it('answers 404 NOT_FOUND for unknown ids on every instance route', async () => {
      const id = 'no-such-instance';
      const answers = [
        await tk.http.get(`/api/v2/instances/${id}`),
        await tk.http.patch(`/api/v2/instances/${id}`, { name: 'whatever' }),
        await tk.http.delete(`/api/v2/instances/${id}`),
        await tk.http.get(`/api/v2/instances/${id}/status`),
        await tk.http.get(`/api/v2/instances/${id}/qr`),
        await tk.http.post(`/api/v2/instances/${id}/connect`),
        await tk.http.post(`/api/v2/instances/${id}/disconnect`),
        await tk.http.post(`/api/v2/instances/${id}/restart`),
        await tk.http.post(`/api/v2/instances/${id}/logout`),
      ];
      for (const res of answers) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
    });

    it('merges a partial messaging PATCH into the stored settings and validates it', async () => {
      const created = await createWebhook({ messaging: { debounceMs: 700 } });
      const patched = await tk.http.patch(`/api/v2/instances/${created.id}`, { messaging: { debounceMode: 'fixed' } });
      expect(patched.status).toBe(200);
      expect(patched.body.messaging).toMatchObject({ debounceMode: 'fixed', debounceMs: 700, splitDelayMinMs: 300 });
      const bad = await tk.http.patch(`/api/v2/instances/${created.id}`, { messaging: { splitDelayMinMs: 5_000, splitDelayMaxMs: 10 } });
      expect(bad.status).toBe(400);
      const invalidCfg = await tk.http.patch(`/api/v2/instances/${created.id}`, { channelConfig: { secret: SECRET, outboundUrl: 'nope' } });
      expect(invalidCfg.status).toBe(400);
      expect(invalidCfg.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['channelConfig.outboundUrl']));
      expect(invalidCfg.body.error.details.every((d: { path: string }) => d.path === 'channelConfig.outboundUrl')).toBe(true);
      const extra = await tk.http.patch(`/api/v2/instances/${created.id}`, { channel: 'inert' });
      expect(extra.status).toBe(400);
      expect((await tk.http.get(`/api/v2/instances/${created.id}`)).body).toMatchObject({ channel: 'webhook', messaging: { debounceMode: 'fixed' } });
    });

    it('removes an agent with agent: null', async () => {
      const created = await createWebhook({ agent: { apiUrl: 'http://127.0.0.1:9' } });
      const patched = await tk.http.patch(`/api/v2/instances/${created.id}`, { agent: null });
      expect(patched.status).toBe(200);
      expect(patched.body.agent).toBeNull();
    });

    it('deletes an instance: then 404 everywhere, and its webhook is gone', async () => {
      const created = await createWebhook();
      const res = await tk.http.delete(`/api/v2/instances/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect((await tk.http.get(`/api/v2/instances/${created.id}`)).status).toBe(404);
      expect((await tk.http.delete(`/api/v2/instances/${created.id}`)).status).toBe(404);
      expect((await inbound(created.id)).status).toBe(404);
      // The name is free again.
      expect((await create({ name: created.name, channel: 'webhook', channelConfig: webhookConfig() })).status).toBe(201);
    });
  });

  describe('list', () => {
    const connectedIds: string[] = [];
    const disconnectedIds: string[] = [];

    beforeAll(async () => {
      // More than any page below, on a channel of its own, created back to back (equal timestamps are likely).
      for (let i = 0; i < 7; i++) {
        const res = await create({ name: uniqueName('list'), channel: 'inert' });
        expect(res.status).toBe(201);
        connectedIds.push(res.body.id);
      }
      for (let i = 0; i < 4; i++) {
        const res = await create({ name: uniqueName('list-off'), channel: 'inert', connect: false });
        expect(res.status).toBe(201);
        expect(res.body.status).toBe('disconnected');
        disconnectedIds.push(res.body.id);
      }
    });

    const pages = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 50; page++) {
        const res: { status: number; body: any } = await tk.http.get(`/api/v2/instances?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        ids.push(...res.body.items.map((i: { id: string }) => i.id));
        expect(res.body.meta.hasMore).toBe(res.body.meta.cursor !== null);
        cursor = res.body.meta.cursor;
        if (!cursor) return { ids, pages: page + 1 };
      }
      throw new Error('paging did not end');
    };

    it('pages through a channel with a cursor: every instance once, no gaps, no duplicates', async () => {
      const all = [...connectedIds, ...disconnectedIds];
      const { ids, pages: count } = await pages('channel=inert&limit=3');
      expect(count).toBe(4);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.sort()).toEqual([...all].sort());
    });

    it('filters by connection status, paging the filtered set', async () => {
      const off = await pages('channel=inert&status=disconnected&limit=3');
      expect(off.ids.sort()).toEqual([...disconnectedIds].sort());
      expect(off.pages).toBe(2);
      const on = await pages('channel=inert&status=connected&limit=2');
      expect(new Set(on.ids).size).toBe(on.ids.length);
      expect(on.ids.sort()).toEqual([...connectedIds].sort());
      const both = await pages('channel=inert&status=connected,disconnected&limit=4');
      expect(both.ids.sort()).toEqual([...connectedIds, ...disconnectedIds].sort());
    });

    it('keeps its place in a status-filtered listing when the instance a page ended on changes state', async () => {
      const first = await tk.http.get('/api/v2/instances?channel=inert&status=connected&limit=2');
      const [a, b] = first.body.items.map((i: { id: string }) => i.id) as [string, string];
      expect(first.body.meta.hasMore).toBe(true);
      expect((await tk.http.post(`/api/v2/instances/${b}/disconnect`)).status).toBe(200);
      try {
        const rest: string[] = [];
        let cursor: string | null = first.body.meta.cursor;
        while (cursor) {
          const page: { status: number; body: any } = await tk.http.get(`/api/v2/instances?channel=inert&status=connected&limit=2&cursor=${encodeURIComponent(cursor)}`);
          expect(page.status).toBe(200);
          rest.push(...page.body.items.map((i: { id: string }) => i.id));
          cursor = page.body.meta.cursor;
        }
        expect(rest).not.toContain(a);
        expect(rest).not.toContain(b);
        expect(rest.sort()).toEqual(connectedIds.filter((id) => id !== a && id !== b).sort());
      } finally {
        expect((await tk.http.post(`/api/v2/instances/${b}/connect`)).status).toBe(200);
      }
    });

    it('filters by channel: several channels at once, and none of another', async () => {
      const webhookOnly = await pages('channel=webhook&limit=200');
      expect(webhookOnly.ids.some((id) => connectedIds.includes(id))).toBe(false);
      const first = (await tk.http.get('/api/v2/instances?channel=webhook&limit=200')).body.items;
      expect(first.every((i: { channel: string }) => i.channel === 'webhook')).toBe(true);
      const mixed = await pages('channel=inert,webhook&limit=200');
      expect(mixed.ids).toEqual(expect.arrayContaining([...connectedIds, ...webhookOnly.ids]));
      const none = await tk.http.get('/api/v2/instances?channel=telegraph');
      expect(none.body).toEqual({ items: [], meta: { cursor: null, hasMore: false } });
    });

    it('refuses an invalid status filter, limit or cursor with 400', async () => {
      expect((await tk.http.get('/api/v2/instances?status=sleepy')).status).toBe(400);
      expect((await tk.http.get('/api/v2/instances?limit=0')).status).toBe(400);
      expect((await tk.http.get('/api/v2/instances?limit=201')).status).toBe(400);
      expect((await tk.http.get('/api/v2/instances?cursor=not-a-cursor')).status).toBe(400);
      expect((await tk.http.get('/api/v2/instances?status=connected&cursor=not-a-cursor')).status).toBe(400);
    });
  });

  describe('connection', () => {
    it('walks the states: created disconnected, connect, disconnect, restart, logout, connect', async () => {
      const created = await createWebhook({ connect: false });
      const id = created.id;
      const status = async () => (await tk.http.get(`/api/v2/instances/${id}/status`)).body;
      expect(created.status).toBe('disconnected');
      expect(await status()).toMatchObject({ state: 'disconnected', since: expect.any(String) });
      expect((await inbound(id)).status).toBe(503);

      const connected = await tk.http.post(`/api/v2/instances/${id}/connect`);
      expect(connected.status).toBe(200);
      expect(connected.body).toMatchObject({ state: 'connected', account: { id: new URL(outbound.url).host } });
      expect((await tk.http.get(`/api/v2/instances/${id}`)).body.status).toBe('connected');
      expect((await inbound(id)).status).toBe(200);

      const disconnected = await tk.http.post(`/api/v2/instances/${id}/disconnect`);
      expect(disconnected.status).toBe(200);
      expect(disconnected.body).toEqual({ success: true });
      expect(await status()).toMatchObject({ state: 'disconnected' });
      expect((await inbound(id)).status).toBe(503);

      const restarted = await tk.http.post(`/api/v2/instances/${id}/restart`);
      expect(restarted.status).toBe(200);
      expect(restarted.body).toMatchObject({ state: 'connected' });
      expect((await inbound(id)).status).toBe(200);

      const loggedOut = await tk.http.post(`/api/v2/instances/${id}/logout`);
      expect(loggedOut.status).toBe(200);
      expect(loggedOut.body).toEqual({ success: true, message: 'Session cleared, re-authentication required' });
      expect(await status()).toMatchObject({ state: 'logged_out' });
      expect((await tk.http.get(`/api/v2/instances/${id}`)).body.status).toBe('logged_out');
      expect((await inbound(id)).status).toBe(503);

      expect((await tk.http.post(`/api/v2/instances/${id}/connect`)).body).toMatchObject({ state: 'connected' });
      expect((await inbound(id)).status).toBe(200);

      const published = tk.events.ofType('instance.status').filter((e) => e.metadata.instanceId === id).map((e) => e.payload.status.state);
      expect(published).toEqual(expect.arrayContaining(['connecting', 'connected', 'disconnected', 'logged_out']));
    });

    it('answers 422 CAPABILITY_NOT_SUPPORTED for a QR code on the webhook channel', async () => {
      const created = await createWebhook();
      const res = await tk.http.get(`/api/v2/instances/${created.id}/qr`);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('CAPABILITY_NOT_SUPPORTED');
    });

    it('keeps a deliberately disconnected instance disconnected through updates, refusing inbound with 503', async () => {
      const created = await createWebhook();
      expect((await tk.http.post(`/api/v2/instances/${created.id}/disconnect`)).status).toBe(200);
      const res = await inbound(created.id);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');

      const patched = await tk.http.patch(`/api/v2/instances/${created.id}`, { name: uniqueName('renamed'), channelConfig: { ...webhookConfig(), timeoutMs: 3_000 }, messaging: { debounceMs: 10 } });
      expect(patched.status).toBe(200);
      expect(patched.body.status).toBe('disconnected');
      expect((await inbound(created.id)).status).toBe(503);
      expect((await tk.http.get(`/api/v2/instances/${created.id}/status`)).body.state).toBe('disconnected');
    });

    it('disconnects an instance deactivated by PATCH isActive: false', async () => {
      const created = await createWebhook();
      const patched = await tk.http.patch(`/api/v2/instances/${created.id}`, { isActive: false });
      expect(patched.body).toMatchObject({ isActive: false, status: 'disconnected' });
      expect((await inbound(created.id)).status).toBe(503);
      const inactive = await create({ name: uniqueName('inactive'), channel: 'webhook', channelConfig: webhookConfig(), isActive: false });
      expect(inactive.body).toMatchObject({ isActive: false, status: 'disconnected' });
    });
  });
});

/**
 * "Every active instance reconnects by itself after a restart": two kernels, one after the
 * other, on the same database. Embedded: a SQLite file. Services: a scratch PostgreSQL database
 * and NATS namespace created here (with `backend: 'services'` the test kernel would drop its
 * database on stop), handed to the kernel through `kernel: { databaseUrl, natsUrl, natsNamespace }`.
 */
describe.each(backends)('instances after a restart ($name)', ({ backend }) => {
  let outbound: CaptureServer;
  let kernelOptions: Partial<NonNullable<TestKernelOptions['kernel']>>;
  let cleanup: () => Promise<void>;
  const running: TestKernel[] = [];

  beforeAll(async () => {
    outbound = await startCaptureServer();
    if (backend === 'services') {
      const database = await createScratchPostgres(process.env.DATABASE_URL!);
      const natsUrl = process.env.NATS_URL!;
      const natsNamespace = uniqueNatsNamespace('restart');
      // A restart reads secrets encrypted by the first run: both runs need the same key.
      kernelOptions = { databaseUrl: database.url, natsUrl, natsNamespace, secretKey: randomBytes(32).toString('hex') };
      cleanup = async () => {
        await deleteNatsNamespace(natsUrl, natsNamespace);
        await database.drop();
      };
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'omni-restart-'));
      kernelOptions = { databaseUrl: `sqlite:${join(dir, 'omni.db')}`, secretKey: randomBytes(32).toString('hex') };
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    for (const tk of running) await tk.stop().catch(() => undefined);
    await cleanup?.();
    await outbound?.close();
  });

  const start = async () => {
    const tk = await startTestKernel({ plugins: PLUGINS, kernel: kernelOptions });
    running.push(tk);
    return tk;
  };
  const inbound = (tk: TestKernel, instanceId: string) =>
    tk.http.post(`/api/v2/webhooks/webhook/${instanceId}`, { event: 'message', data: { messageId: `r-${Date.now()}-${Math.random()}`, from: '+15550200', text: 'after restart' } }, { 'x-webhook-secret': SECRET });

  it('reconnects every active instance by itself; deliberately disconnected ones stay down', async () => {
    const first = await start();
    const make = async (name: string, extra: Record<string, unknown> = {}) => {
      const res = await first.http.post('/api/v2/instances', { name: `${backend}-${name}`, channel: 'webhook', channelConfig: { secret: SECRET, outboundUrl: `${outbound.url}/out` }, ...extra });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const up = await make('up');
    const down = await make('down');
    expect((await first.http.post(`/api/v2/instances/${down}/disconnect`)).status).toBe(200);
    const neverConnected = await make('never', { connect: false });
    const inactive = await make('inactive', { isActive: false });
    const inert1 = (await first.http.post('/api/v2/instances', { name: `${backend}-inert`, channel: 'inert' })).body.id as string;
    expect((await first.http.get(`/api/v2/instances/${up}`)).body.status).toBe('connected');
    expect((await inbound(first, up)).status).toBe(200);
    await first.stop();
    running.splice(0);

    const second = await start();
    const state = async (id: string) => (await second.http.get(`/api/v2/instances/${id}/status`)).body.state as string;
    await waitFor('the active instances to reconnect', async () => (await state(up)) === 'connected' && (await state(inert1)) === 'connected');
    expect(await state(down)).toBe('disconnected');
    expect(await state(neverConnected)).toBe('disconnected');
    expect(await state(inactive)).toBe('disconnected');
    // The reconnected instance authenticates with its stored secret; the others refuse inbound.
    expect((await inbound(second, up)).status).toBe(200);
    expect((await inbound(second, down)).status).toBe(503);
    expect((await inbound(second, neverConnected)).status).toBe(503);
    const listed = await second.http.get('/api/v2/instances?status=connected&limit=200');
    expect(listed.body.items.map((i: { id: string }) => i.id).sort()).toEqual([up, inert1].sort());

    // Connecting the deliberately disconnected one sticks across the next restart too.
    expect((await second.http.post(`/api/v2/instances/${down}/connect`)).body.state).toBe('connected');
    await second.stop();
    running.splice(0);
    const third = await start();
    await waitFor('both webhook instances to reconnect', async () => {
      const states = await Promise.all([up, down].map(async (id) => (await third.http.get(`/api/v2/instances/${id}/status`)).body.state));
      return states.every((s) => s === 'connected');
    });
    expect((await third.http.get(`/api/v2/instances/${neverConnected}/status`)).body.state).toBe('disconnected');
  });
});
