import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agentApi from '@omni/agent-api';
import webhookChannel from '@omni/channel-webhook';
import { startCaptureServer, startTestKernel, type CaptureServer, type CapturedRequest, type TestKernel } from '@omni/plugin-sdk/testing';
import { startEchoAgent, type EchoAgent } from 'omni-echo-agent';
import { backends } from '../support/backends.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'providers-secret-0123456789';
const ECHO_KEY = 'echo-agent-key-0123456789';
const masked = (secret: string) => `••••${secret.slice(-4)}`;

/** A loopback URL nothing listens on: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe.each(backends)('agent providers API ($name)', ({ backend }) => {
  let tk: TestKernel;
  let echo: EchoAgent;
  let agent: CaptureServer;
  let outbound: CaptureServer;
  let seq = 0;

  const uniqueName = (label: string) => `prov-${backend}-${label}-${++seq}`;
  const createProvider = async (extra: Record<string, unknown> = {}) => {
    const res = await tk.http.post('/api/v2/providers', { name: uniqueName('p'), type: 'agent_api', apiUrl: echo.url, apiKey: ECHO_KEY, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; name: string; [k: string]: any };
  };
  const createInstance = async (extra: Record<string, unknown>) => {
    const res = await tk.http.post('/api/v2/instances', { name: uniqueName('inst'), channel: 'webhook', channelConfig: { secret: SECRET, outboundUrl: `${outbound.url}/out` }, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const inbound = async (instanceId: string, data: { text: string; from: string; chatId?: string; fromName?: string }) => {
    const res = await tk.http.post(`/api/v2/webhooks/webhook/${instanceId}`, { event: 'message', data: { messageId: `m-${++seq}`, ...data } }, { 'x-webhook-secret': SECRET });
    expect(res.status).toBe(200);
    return res.body.eventId as string;
  };
  const finished = (eventId: string) =>
    waitFor(`event ${eventId} to finish`, async () => {
      const e = await tk.kernel.messageEvents.get(eventId);
      return e && ['sent', 'failed', 'blocked', 'skipped'].includes(e.status) ? e : undefined;
    });
  const agentCallFor = (text: string): CapturedRequest | undefined => agent.requests.find((r) => typeof r.body?.message === 'string' && r.body.message.includes(text));

  beforeAll(async () => {
    echo = await startEchoAgent({ apiKey: ECHO_KEY });
    agent = await startCaptureServer((req) => ({ status: 200, body: { text: `Echo: ${req.body?.message}` } }));
    outbound = await startCaptureServer();
    tk = await startTestKernel({ plugins: [webhookChannel, agentApi], backend });
  });
  afterAll(async () => {
    await tk?.stop();
    await echo?.close();
    await agent?.close();
    await outbound?.close();
  });

  describe('CRUD', () => {
    it('creates a provider: 201, defaults filled in, apiKey masked, listed and fetched', async () => {
      const name = uniqueName('create');
      const res = await tk.http.post('/api/v2/providers', { name, type: 'agent_api', apiUrl: echo.url, apiKey: ECHO_KEY, metadata: { team: 'support' } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name,
        type: 'agent_api',
        apiUrl: echo.url,
        apiKey: masked(ECHO_KEY),
        defaultAgentId: null,
        defaultTimeout: 60_000,
        defaultStreaming: false,
        metadata: { team: 'support' },
        available: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const got = await tk.http.get(`/api/v2/providers/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: res.body.id, apiKey: masked(ECHO_KEY) });
      const list = await tk.http.get('/api/v2/providers');
      expect(list.status).toBe(200);
      expect(list.body.items.find((p: { id: string }) => p.id === res.body.id)).toMatchObject({ name, apiKey: masked(ECHO_KEY) });
      for (const body of [res.body, got.body, list.body]) expect(JSON.stringify(body)).not.toContain(ECHO_KEY);
      const keyless = await createProvider({ apiKey: undefined });
      expect(keyless.apiKey).toBeNull();
    });

    it('refuses a type no running plugin implements with 400, naming the available types', async () => {
      const res = await tk.http.post('/api/v2/providers', { name: uniqueName('agno'), type: 'agno', apiUrl: echo.url });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'type', message: expect.stringContaining('agent_api') })]);
      const created = await createProvider();
      const patched = await tk.http.patch(`/api/v2/providers/${created.id}`, { type: 'agno' });
      expect(patched.status).toBe(400);
      expect((await tk.http.get(`/api/v2/providers/${created.id}`)).body.type).toBe('agent_api');
    });

    it('refuses invalid bodies with 400', async () => {
      expect((await tk.http.post('/api/v2/providers', { name: uniqueName('x'), type: 'agent_api' })).status).toBe(400);
      expect((await tk.http.post('/api/v2/providers', { name: uniqueName('x'), type: 'agent_api', apiUrl: 'not a url' })).status).toBe(400);
      expect((await tk.http.post('/api/v2/providers', { name: uniqueName('x'), type: 'agent_api', apiUrl: echo.url, colour: 'red' })).status).toBe(400);
      expect((await tk.http.post('/api/v2/providers', { name: uniqueName('x'), type: 'agent_api', apiUrl: echo.url, defaultTimeout: 5 })).status).toBe(400);
    });

    it('refuses a duplicate name with 409 CONFLICT, on create and on rename', async () => {
      const first = await createProvider();
      const dup = await tk.http.post('/api/v2/providers', { name: first.name, type: 'agent_api', apiUrl: echo.url });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('CONFLICT');
      const second = await createProvider();
      const rename = await tk.http.patch(`/api/v2/providers/${second.id}`, { name: first.name });
      expect(rename.status).toBe(409);
    });

    it('keeps the stored apiKey when a PATCH sends the masked value back, proven by an authenticated agent listing', async () => {
      const created = await createProvider();
      const patched = await tk.http.patch(`/api/v2/providers/${created.id}`, { ...pick(created, ['name', 'type', 'apiUrl', 'apiKey']), defaultTimeout: 5_000 });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ apiKey: masked(ECHO_KEY), defaultTimeout: 5_000 });
      expect((await tk.kernel.providerRecords.get(created.id))?.apiKey).toBe(ECHO_KEY);
      // The echo agent lists its agents only with the right key.
      expect((await tk.http.get(`/api/v2/providers/${created.id}/agents`)).status).toBe(200);

      const cleared = await tk.http.patch(`/api/v2/providers/${created.id}`, { apiKey: null });
      expect(cleared.body.apiKey).toBeNull();
      const refused = await tk.http.get(`/api/v2/providers/${created.id}/agents`);
      expect(refused.status).toBe(502);
      expect(refused.body.error.code).toBe('PLATFORM_ERROR');
    });

    it('deletes a provider: then 404 on every route', async () => {
      const created = await createProvider();
      const res = await tk.http.delete(`/api/v2/providers/${created.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      const answers = [
        await tk.http.get(`/api/v2/providers/${created.id}`),
        await tk.http.patch(`/api/v2/providers/${created.id}`, { defaultTimeout: 1_000 }),
        await tk.http.delete(`/api/v2/providers/${created.id}`),
        await tk.http.post(`/api/v2/providers/${created.id}/health`),
        await tk.http.get(`/api/v2/providers/${created.id}/agents`),
      ];
      for (const a of answers) {
        expect(a.status).toBe(404);
        expect(a.body.error.code).toBe('NOT_FOUND');
      }
      expect((await tk.http.get('/api/v2/providers')).body.items.map((p: { id: string }) => p.id)).not.toContain(created.id);
    });
  });

  describe('health and agents', () => {
    it('reports the echo agent healthy', async () => {
      const created = await createProvider();
      const res = await tk.http.post(`/api/v2/providers/${created.id}/health`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ healthy: true, latency: expect.any(Number) });
    });

    it('reports a dead URL unhealthy, with the error', async () => {
      const created = await createProvider({ apiUrl: await deadUrl() });
      const res = await tk.http.post(`/api/v2/providers/${created.id}/health`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ healthy: false, latency: expect.any(Number), error: expect.any(String) });
      expect(res.body.error.length).toBeGreaterThan(0);
    });

    it("lists the echo agent's agents", async () => {
      const created = await createProvider();
      const res = await tk.http.get(`/api/v2/providers/${created.id}/agents`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([expect.objectContaining({ id: 'echo', name: 'Echo' })]);
    });

    it('answers 502 when the agent API cannot be reached for a listing', async () => {
      const created = await createProvider({ apiUrl: await deadUrl() });
      const res = await tk.http.get(`/api/v2/providers/${created.id}/agents`);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('PLATFORM_ERROR');
    });
  });

  describe('instances using a provider', () => {
    it('answers messages through the provider an instance names (with its apiKey)', async () => {
      const provider = await createProvider();
      const instanceId = await createInstance({ agent: { providerId: provider.id } });
      const callsBefore = echo.calls;
      const event = await finished(await inbound(instanceId, { text: 'via the provider', from: '+15550301' }));
      expect(event.status).toBe('sent');
      expect(event.stages.find((s) => s.stage === 'agent_request')?.detail).toContain(echo.url);
      expect(echo.calls).toBe(callsBefore + 1);
      const reply = outbound.requests.find((r) => r.body?.to === '+15550301');
      expect(reply?.body).toMatchObject({ instanceId, content: { type: 'text', text: 'Echo: via the provider' } });
    });

    it("uses the provider's defaultTimeout when the instance sets no timeout of its own", async () => {
      const provider = await createProvider({ defaultTimeout: 200 });
      const instanceId = await createInstance({ agent: { providerId: provider.id } });
      // An instance's own timeout wins over the provider's.
      const ownTimeout = await createInstance({ agent: { providerId: provider.id, timeout: 250 } });
      const [event, second] = await Promise.all([
        inbound(instanceId, { text: 'take your time [[delay:3000]]', from: '+15550302' }).then(finished),
        inbound(ownTimeout, { text: 'slow again [[delay:3000]]', from: '+15550303' }).then(finished),
      ]);
      expect(event).toMatchObject({ status: 'failed', errorStage: 'agent_request', errorMessage: expect.stringContaining('within 200 ms') });
      expect(second).toMatchObject({ status: 'failed', errorMessage: expect.stringContaining('within 250 ms') });
    });

    it('fails the turn visibly when the provider was deleted', async () => {
      const provider = await createProvider();
      const instanceId = await createInstance({ agent: { providerId: provider.id } });
      expect((await tk.http.delete(`/api/v2/providers/${provider.id}`)).status).toBe(200);
      const event = await finished(await inbound(instanceId, { text: 'anyone there?', from: '+15550304' }));
      expect(event).toMatchObject({ status: 'failed', errorStage: 'agent_request', errorMessage: expect.stringContaining(provider.id) });
    });
  });

  describe('session strategies', () => {
    /** Sends a group message from two people and a DM from the first; returns each agent request's session_id and person. */
    const sessionsFor = async (strategy: string | undefined) => {
      const instanceId = await createInstance({ agent: { apiUrl: agent.url, ...(strategy ? { sessionStrategy: strategy } : {}) } });
      const tag = `${strategy ?? 'default'}-${++seq}`;
      const sends = [
        { key: 'anaGroup', text: `ana in group ${tag}`, from: '+15550401', chatId: `group-${tag}` },
        { key: 'boGroup', text: `bo in group ${tag}`, from: '+15550402', chatId: `group-${tag}` },
        { key: 'anaDm', text: `ana in dm ${tag}`, from: '+15550401' },
      ] as const;
      const out: Record<string, { sessionId: string; personId: string; chatId: string }> = {};
      for (const s of sends) {
        const { key, ...data } = s;
        const event = await finished(await inbound(instanceId, data));
        expect(event.status).toBe('sent');
        const call = agentCallFor(s.text);
        expect(call, `agent request for ${s.text}`).toBeDefined();
        out[key] = { sessionId: call!.body.session_id, personId: event.personId!, chatId: 'chatId' in s ? s.chatId : s.from };
      }
      return { instanceId, ...(out as Record<(typeof sends)[number]['key'], { sessionId: string; personId: string; chatId: string }>) };
    };

    it('per_user: one session per person on the instance, across chats', async () => {
      const { instanceId, anaGroup, boGroup, anaDm } = await sessionsFor('per_user');
      expect(anaGroup.personId).toBe(anaDm.personId);
      expect(anaGroup.sessionId).toBe(`${instanceId}:${anaGroup.personId}`);
      expect(boGroup.sessionId).toBe(`${instanceId}:${boGroup.personId}`);
      expect(anaDm.sessionId).toBe(anaGroup.sessionId);
      expect(boGroup.sessionId).not.toBe(anaGroup.sessionId);
    });

    it('per_chat: one session per chat, shared by everyone in it', async () => {
      const { instanceId, anaGroup, boGroup, anaDm } = await sessionsFor('per_chat');
      expect(anaGroup.sessionId).toBe(`${instanceId}:${anaGroup.chatId}`);
      expect(boGroup.sessionId).toBe(anaGroup.sessionId);
      expect(anaDm.sessionId).toBe(`${instanceId}:+15550401`);
      expect(anaDm.sessionId).not.toBe(anaGroup.sessionId);
    });

    it('per_user_per_chat (the default): one session per person per chat', async () => {
      for (const strategy of ['per_user_per_chat', undefined]) {
        const { instanceId, anaGroup, boGroup, anaDm } = await sessionsFor(strategy);
        expect(anaGroup.sessionId).toBe(`${instanceId}:${anaGroup.chatId}:${anaGroup.personId}`);
        expect(boGroup.sessionId).toBe(`${instanceId}:${boGroup.chatId}:${boGroup.personId}`);
        expect(anaDm.sessionId).toBe(`${instanceId}:+15550401:${anaDm.personId}`);
        expect(new Set([anaGroup.sessionId, boGroup.sessionId, anaDm.sessionId]).size).toBe(3);
      }
    });

    it('refuses an unknown strategy with 400', async () => {
      const res = await tk.http.post('/api/v2/instances', { name: uniqueName('bad-strategy'), channel: 'webhook', channelConfig: { secret: SECRET, outboundUrl: `${outbound.url}/out` }, agent: { apiUrl: agent.url, sessionStrategy: 'per_moon' } });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'agent.sessionStrategy' })]);
    });
  });

  describe('usernamePrefix', () => {
    it('prefixes "[Name]: " to each line of a merged burst the agent receives', async () => {
      const instanceId = await createInstance({ agent: { apiUrl: agent.url }, messaging: { usernamePrefix: true, debounceMode: 'fixed', debounceMs: 500 } });
      const chatId = `prefix-group-${++seq}`;
      const ids = [
        await inbound(instanceId, { text: 'prefix first', from: '+15550501', fromName: 'Ana', chatId }),
        await inbound(instanceId, { text: 'prefix second', from: '+15550502', fromName: 'Bo', chatId }),
      ];
      await Promise.all(ids.map(finished));
      const call = agentCallFor('prefix first');
      expect(call?.body.message).toBe('[Ana]: prefix first\n[Bo]: prefix second');
    });

    it('sends the text unchanged when usernamePrefix is off (the default)', async () => {
      const instanceId = await createInstance({ agent: { apiUrl: agent.url } });
      await finished(await inbound(instanceId, { text: 'no prefix please', from: '+15550503', fromName: 'Ana' }));
      expect(agentCallFor('no prefix please')?.body.message).toBe('no prefix please');
    });
  });
});

function pick<T extends Record<string, unknown>>(obj: T, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, obj[k]]));
}
