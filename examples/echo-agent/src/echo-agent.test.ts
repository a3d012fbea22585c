import { createAgentApiProvider } from '@omni/agent-api';
import type { AgentRequest, AgentTarget } from '@omni/plugin-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoAgent, type EchoAgent } from './echo-agent.js';

/** The request of the v1 contract's "Agent Call" section. */
const seedBody = {
  user_id: '123456789',
  session_id: 'session-abc123',
  session_name: '+1234567890',
  message: 'Hello!',
  message_type: 'text',
  session_origin: 'whatsapp',
  user: { phone_number: '+1234567890', email: null, user_data: {} },
  context: { channel: 'whatsapp', instance: 'my-whatsapp-bot' },
};

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/agent/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('echo agent', () => {
  let agent: EchoAgent;

  beforeAll(async () => {
    agent = await startEchoAgent();
  });
  afterAll(() => agent.close());

  it('answers the v1 contract request with {text: "Echo: <message>"} and counts the call', async () => {
    const before = agent.calls;
    const res = await post(agent.url, seedBody);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ text: 'Echo: Hello!' });
    expect(agent.calls).toBe(before + 1);
  });

  it('answers three paragraphs separated by blank lines when the message contains [[split]]', async () => {
    const res = await post(agent.url, { ...seedBody, message: 'long story [[split]]' });
    const { text } = (await res.json()) as { text: string };
    expect(text.split('\n\n')).toEqual(['Echo: long story (part 1 of 3)', 'Echo: long story (part 2 of 3)', 'Echo: long story (part 3 of 3)']);
  });

  it('answers GET /health and lists its one agent', async () => {
    const health = await fetch(`${agent.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${agent.url}/api/agents`)).json()).toEqual([{ id: 'echo', name: 'Echo', description: expect.any(String) }]);
  });

  it('answers 400 without a string message, 404 elsewhere and 405 for GET on the chat route', async () => {
    expect((await post(agent.url, '{"message":')).status).toBe(400);
    expect((await post(agent.url, { text: 'no message field' })).status).toBe(400);
    expect((await fetch(`${agent.url}/nope`)).status).toBe(404);
    expect((await fetch(`${agent.url}/api/agent/chat`)).status).toBe(405);
  });

  it('is what the agent_api provider expects', async () => {
    const request: AgentRequest = {
      message: 'via the provider [[split]]',
      messageType: 'text',
      sessionId: 's',
      sessionName: 'n',
      userId: 'u',
      user: { platformUserId: 'p' },
      instance: { id: 'i', name: 'main', channel: 'webhook' },
      chat: { id: 'c', type: 'dm' },
      context: {},
    };
    const target: AgentTarget = { apiUrl: agent.url, agentId: 'echo', timeoutMs: 5_000, streaming: false };
    const provider = createAgentApiProvider();
    const reply = await provider.call(target, request, new AbortController().signal);
    expect(reply.text.split('\n\n')).toHaveLength(3);
    await expect(provider.health!(target, new AbortController().signal)).resolves.toEqual({ healthy: true });
    await expect(provider.listAgents!(target, new AbortController().signal)).resolves.toEqual([{ id: 'echo', name: 'Echo', description: expect.any(String) }]);
  });
});

describe('echo agent knobs', () => {
  const request: AgentRequest = {
    message: 'slow',
    messageType: 'text',
    sessionId: 's',
    sessionName: 'n',
    userId: 'u',
    user: { platformUserId: 'p' },
    instance: { id: 'i', name: 'main', channel: 'webhook' },
    chat: { id: 'c', type: 'dm' },
    context: {},
  };

  it('delays answers by delayMs (a caller with a far shorter timeout gives up) and close() does not wait for them', async () => {
    const slow = await startEchoAgent({ delayMs: 60_000 });
    try {
      const err = await createAgentApiProvider()
        .call({ apiUrl: slow.url, timeoutMs: 100, streaming: false }, request, new AbortController().signal)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TIMEOUT' });
      expect(slow.calls).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('delays one answer when the message asks with [[delay:<ms>]]', async () => {
    const agent = await startEchoAgent();
    try {
      const err = await createAgentApiProvider()
        .call({ apiUrl: agent.url, timeoutMs: 100, streaming: false }, { ...request, message: 'wait [[delay:60000]]' }, new AbortController().signal)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TIMEOUT' });
      await expect(post(agent.url, { message: 'quick [[delay:1]]' }).then((r) => r.json())).resolves.toEqual({ text: 'Echo: quick' });
    } finally {
      await agent.close();
    }
  });

  it('requires the api key, as x-api-key or bearer, when one is configured', async () => {
    const agent = await startEchoAgent({ apiKey: 'k-1' });
    try {
      expect((await post(agent.url, seedBody)).status).toBe(401);
      expect((await post(agent.url, seedBody, { 'x-api-key': 'wrong' })).status).toBe(401);
      expect((await post(agent.url, seedBody, { 'x-api-key': 'k-1' })).status).toBe(200);
      expect((await post(agent.url, seedBody, { authorization: 'Bearer k-1' })).status).toBe(200);
      expect((await fetch(`${agent.url}/health`)).status).toBe(200);
    } finally {
      await agent.close();
    }
  });

  it('listens on the given port and host', async () => {
    const probe = await startEchoAgent();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const agent = await startEchoAgent({ port, host: '127.0.0.1' });
    try {
      expect(agent.url).toBe(`http://127.0.0.1:${port}`);
    } finally {
      await agent.close();
    }
  });
});

describe('echo agent as reply receiver', () => {
  it('records and reports the replies the hub POSTs to /replies', async () => {
    const seen: unknown[] = [];
    const agent = await startEchoAgent({ onReply: (r) => seen.push(r), apiKey: 'secret-key' });
    try {
      const res = await fetch(`${agent.url}/replies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+1', content: { type: 'text', text: 'Echo: hi' } }) });
      expect(res.status).toBe(200);
      expect(agent.replies).toEqual([{ to: '+1', content: { type: 'text', text: 'Echo: hi' } }]);
      expect(seen).toEqual(agent.replies);
    } finally {
      await agent.close();
    }
  });
});
