import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type ChannelCapabilities } from '@omni/plugin-sdk';
import { startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';
import { errorEnvelopeSchema } from '../error-envelope.js';
import { channelStartupInfoSchema } from './channel-startup-info.js';
import { internalHealthSchema } from './internal-routes.js';
import { setupStatusSchema } from './setup-status.js';
import { subprocessConfigSchema } from './subprocess-config.js';

const caps: ChannelCapabilities = {
  content: { send: ['text'], receive: ['text'] },
  features: [],
  auth: ['token'],
  limits: { maxTextLength: 100, maxFileSize: 1000 },
  events: ['message.received'],
};

const fakeChannel = definePlugin({
  id: 'channel-fake',
  version: '1.0.0',
  kind: 'channel',
  compat: { sdk: '^1.0.0' },
  channel: { id: 'fake', name: 'Fake', description: 'test channel', instanceConfig: z.object({}) },
  capabilities: caps,
  setup: () => ({
    adapter: {
      connect: async (i) => i.setStatus({ state: 'connected' }),
      disconnect: async () => undefined,
      send: async () => ({ ok: true as const, externalId: 'x' }),
    },
  }),
});

/** An address of this machine that is not loopback: connecting to it makes the socket peer non-loopback. */
function externalAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  throw new Error('this machine has no non-loopback IPv4 address: the forged X-Forwarded-For tests need one (bind a dummy interface)');
}

const INTERNAL = '/api/v2/_internal';
const portOf = (url: string) => new URL(url).port;

async function call(base: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const expectRefused = (res: { status: number; body: unknown }) => {
  expect(res.status).toBe(403);
  expect(errorEnvelopeSchema.parse(res.body)).toEqual({ error: { code: 'FORBIDDEN', message: 'not available' } });
};

describe('internal API', () => {
  const external = externalAddress();
  let tk: TestKernel;
  let local: string;
  let remote: string;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [fakeChannel], kernel: { host: '0.0.0.0' } });
    local = `http://127.0.0.1:${portOf(tk.url)}`;
    remote = `http://${external}:${portOf(tk.url)}`;
  });
  afterAll(async () => {
    await tk?.stop();
  });

  describe('loopback guard', () => {
    it('answers callers on loopback, without an API key', async () => {
      const res = await call(local, `${INTERNAL}/health`);
      expect(res.status).toBe(200);
      expect(internalHealthSchema.parse(res.body)).toMatchObject({ status: 'healthy', service: 'omni', checks: { database: true, eventBus: true, channels: { fake: true }, plugins: { 'channel-fake': true } } });
      expect(res.body.memory.used).toBeGreaterThan(0);
      expect(res.body.memory.total).toBeGreaterThan(res.body.memory.used);
    });

    it('refuses a non-loopback peer, even with a forged X-Forwarded-For or X-Real-IP of 127.0.0.1', async () => {
      expectRefused(await call(remote, `${INTERNAL}/health`));
      expectRefused(await call(remote, `${INTERNAL}/health`, { headers: { 'x-forwarded-for': '127.0.0.1' } }));
      expectRefused(await call(remote, `${INTERNAL}/subprocess-config`, { headers: { 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '::1' } }));
      // Refused before the body is validated: a remote caller learns nothing about the expected input.
      expectRefused(await call(remote, `${INTERNAL}/services/register`, { method: 'POST', body: { bogus: true }, headers: { 'x-forwarded-for': '127.0.0.1' } }));
      expectRefused(await call(remote, `${INTERNAL}/events/forward`, { method: 'POST', body: { event: { type: 'crm.x', payload: {} } } }));
      // The public API on the same socket still answers: only the internal routes are guarded.
      expect((await call(remote, '/api/v2/health')).status).toBe(200);
    });
  });

  it('gives subprocess config without any secret', async () => {
    const res = await call(local, `${INTERNAL}/subprocess-config`);
    expect(res.status).toBe(200);
    const config = subprocessConfigSchema.parse(res.body);
    expect(config).toMatchObject({ database: { provider: 'sqlite', connectionUri: 'sqlite::memory:' }, eventBus: { backend: 'in-process', url: null }, features: { accessControl: true, agentRouting: false } });
    expect(JSON.stringify(res.body)).not.toMatch(/password|apiKey|secret/i);
  });

  it('lists the channels to start with the instances that want to be connected, paced by the startup settings', async () => {
    const on = await tk.createInstance({ channel: 'fake', name: 'startup-on' });
    const off = await tk.createInstance({ channel: 'fake', name: 'startup-off' });
    expect((await tk.http.post(`/api/v2/instances/${off.id}/disconnect`)).status).toBe(200);
    await tk.kernel.settings.set('startup.max_concurrent_connections', 2, { actor: null, reason: null, ip: null });

    const res = await call(local, `${INTERNAL}/channel-startup-info`);
    expect(res.status).toBe(200);
    const info = channelStartupInfoSchema.parse(res.body);
    expect(info.channels).toEqual([{ name: 'fake', needed: true, reason: '1 active instance to connect', instances: [on.id] }]);
    expect(info.startup).toEqual({ delayBetweenChannelsMs: 2_000, maxConcurrentConnections: 2, healthCheckTimeoutMs: 30_000 });
  });

  it('reports setup status from the database, API keys, instances and the setup.completed setting', async () => {
    const before = setupStatusSchema.parse((await call(local, `${INTERNAL}/setup/status`)).body);
    expect(before.checks).toMatchObject({ databaseConnected: true, eventBusConnected: true, apiKeyExists: (await tk.kernel.apiKeys.count()) > 0 });
    expect(before.setupCompleted).toBe(false);

    const put = await tk.http.request('PUT', '/api/v2/settings/setup.completed', { body: { value: true, reason: 'wizard done' } });
    expect(put.status).toBe(200);
    const after = setupStatusSchema.parse((await call(local, `${INTERNAL}/setup/status`)).body);
    expect(after).toMatchObject({ setupCompleted: true, setupRequired: false, bootstrapMode: false, checks: { settingsInitialized: true } });
    expect(after.suggestedStep).toBeUndefined();
  });

  it('registers a service with the configured heartbeat interval, takes heartbeats, deregisters it', async () => {
    await tk.kernel.settings.set('services.heartbeat_interval_ms', 5_000, { actor: null, reason: null, ip: null });
    const reg = await call(local, `${INTERNAL}/services/register`, { method: 'POST', body: { name: 'channel-fake', type: 'channel', pid: 1234, capabilities: { channels: ['fake'] } } });
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({ success: true, serviceId: expect.any(String), heartbeatIntervalMs: 5_000 });
    const { serviceId } = reg.body;

    expect(await call(local, `${INTERNAL}/services/heartbeat`, { method: 'POST', body: { serviceId, status: 'healthy', metrics: { cpu: 1.5, memory: 1000 } } })).toEqual({
      status: 200,
      body: { acknowledged: true, commands: [] },
    });
    const listed = await call(local, `${INTERNAL}/services`);
    expect(listed.body.items).toEqual([expect.objectContaining({ serviceId, name: 'channel-fake', pid: 1234, status: 'healthy' })]);

    expect(await call(local, `${INTERNAL}/services/deregister`, { method: 'POST', body: { serviceId, reason: 'shutdown' } })).toEqual({ status: 200, body: { success: true } });
    const gone = await call(local, `${INTERNAL}/services/heartbeat`, { method: 'POST', body: { serviceId, status: 'healthy' } });
    expect(gone.status).toBe(404);
    expect((await call(local, `${INTERNAL}/services`)).body.items).toEqual([]);

    for (const body of [{ name: 'x', type: 'daemon', pid: 1 }, { name: 'x', type: 'worker', pid: -1 }, { name: 'x', type: 'worker', pid: 1, extra: 1 }, {}]) {
      const bad = await call(local, `${INTERNAL}/services/register`, { method: 'POST', body });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await call(local, `${INTERNAL}/services/heartbeat`, { method: 'POST', body: { serviceId: 'not-a-uuid', status: 'healthy' } })).status).toBe(400);
  });

  it('forwards a valid event onto the bus and refuses core event types and bad shapes', async () => {
    const waiting = tk.events.waitFor('crm.lead_created' as never);
    const res = await call(local, `${INTERNAL}/events/forward`, {
      method: 'POST',
      body: { event: { type: 'crm.lead_created', payload: { leadId: 'L-1' }, metadata: { correlationId: 'c-1' } } },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, eventId: expect.any(String) });
    const event = await waiting;
    expect(event).toMatchObject({ id: res.body.eventId, type: 'crm.lead_created', payload: { leadId: 'L-1' }, metadata: { correlationId: 'c-1' } });

    for (const event of [
      { type: 'message.received', payload: {} },
      { type: 'settings.changed', payload: { key: 'x', reset: false } },
      { type: 'nodomain', payload: {} },
      { type: 'crm.lead_created', payload: 'text' },
      { type: 'crm.lead_created' },
      { type: 'crm.lead_created', payload: {}, metadata: { traceId: 'short' } },
    ]) {
      const bad = await call(local, `${INTERNAL}/events/forward`, { method: 'POST', body: { event } });
      expect(bad.status, JSON.stringify(event)).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(tk.events.ofType('message.received')).toEqual([]);
  });
});

describe('internal API behind a trusted proxy', () => {
  const external = externalAddress();
  let tk: TestKernel;
  let remote: string;
  let local: string;

  beforeAll(async () => {
    // The proxy is this machine's non-loopback address, and 127.0.0.1 (a reverse proxy on the same host).
    tk = await startTestKernel({ plugins: [], kernel: { host: '0.0.0.0', trustedProxies: [external, '127.0.0.1'] } });
    remote = `http://${external}:${portOf(tk.url)}`;
    local = `http://127.0.0.1:${portOf(tk.url)}`;
  });
  afterAll(async () => {
    await tk?.stop();
  });

  it('believes the proxy when it forwards a loopback client', async () => {
    expect((await call(remote, `${INTERNAL}/health`, { headers: { 'x-forwarded-for': '127.0.0.1' } })).status).toBe(200);
    expect((await call(remote, `${INTERNAL}/health`, { headers: { 'x-real-ip': '::1' } })).status).toBe(200);
  });

  it('refuses what the proxy forwards from anyone else, and the proxy itself', async () => {
    expectRefused(await call(remote, `${INTERNAL}/health`, { headers: { 'x-forwarded-for': '203.0.113.9' } }));
    // A client that forged 127.0.0.1 before the proxy appended its real address.
    expectRefused(await call(remote, `${INTERNAL}/health`, { headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' } }));
    expectRefused(await call(remote, `${INTERNAL}/health`));
    // A reverse proxy on loopback forwarding an outside client: refused, though the socket is loopback.
    expectRefused(await call(local, `${INTERNAL}/health`, { headers: { 'x-forwarded-for': '203.0.113.9' } }));
    expect((await call(local, `${INTERNAL}/health`)).status).toBe(200);
  });
});
