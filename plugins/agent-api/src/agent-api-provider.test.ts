import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentCallError, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import { startCaptureServer, type CaptureServer } from '@omni/plugin-sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgentApiProvider } from './agent-api-provider.js';

const provider = createAgentApiProvider();
const never = () => new AbortController().signal;

const request: AgentRequest = {
  message: 'hello\nsecond line',
  messageType: 'text',
  sessionId: 'sess-1',
  sessionName: 'whatsapp-main_+15550001',
  userId: 'person-1',
  user: { name: 'Ana', phone: '+15550001', platformUserId: '15550001@s.whatsapp.net' },
  instance: { id: 'inst-1', name: 'whatsapp-main', channel: 'whatsapp' },
  chat: { id: 'chat-1', type: 'dm' },
  context: { replyTo: 'earlier text' },
};

/** A loopback server with full control over the raw answer (for hangs and non-JSON bodies). */
async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function callError(promise: Promise<unknown>): Promise<AgentCallError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentCallError);
  return err as AgentCallError;
}

describe('agent_api provider', () => {
  let agent: CaptureServer;
  let target: AgentTarget;

  beforeAll(async () => {
    agent = await startCaptureServer();
  });
  afterAll(() => agent.close());
  beforeEach(() => {
    agent.requests.splice(0);
    agent.respond(() => ({ body: { text: 'hi there' } }));
    target = { apiUrl: `${agent.url}/`, apiKey: 'secret-key', agentId: 'echo', timeoutMs: 5_000, streaming: false };
  });

  describe('call', () => {
    it('POSTs the v1 contract body to {apiUrl}/api/agent/chat with both auth headers', async () => {
      await provider.call(target, request, never());
      const [req] = agent.requests;
      expect(req?.method).toBe('POST');
      expect(req?.path).toBe('/api/agent/chat');
      expect(req?.headers['content-type']).toBe('application/json');
      expect(req?.headers.authorization).toBe('Bearer secret-key');
      expect(req?.headers['x-api-key']).toBe('secret-key');
      expect(req?.body).toEqual({
        user_id: 'person-1',
        session_id: 'sess-1',
        session_name: 'whatsapp-main_+15550001',
        message: 'hello\nsecond line',
        message_type: 'text',
        session_origin: 'whatsapp',
        user: { phone_number: '+15550001', email: null, user_data: { platform_user_id: '15550001@s.whatsapp.net' }, name: 'Ana' },
        context: { channel: 'whatsapp', instance: 'whatsapp-main', instance_id: 'inst-1', chat_id: 'chat-1', chat_type: 'dm', replyTo: 'earlier text' },
        agent_id: 'echo',
      });
    });

    it('sends no auth headers and no agent_id when the target has none, and passes media and thread through', async () => {
      const media = [{ url: 'https://example.com/a.png', mimeType: 'image/png' }];
      await provider.call({ apiUrl: agent.url, timeoutMs: 5_000, streaming: false }, { ...request, media, chat: { id: 'c', type: 'thread', threadId: 't-9' } }, never());
      const [req] = agent.requests;
      expect(req?.headers.authorization).toBeUndefined();
      expect(req?.headers['x-api-key']).toBeUndefined();
      expect(req?.body).not.toHaveProperty('agent_id');
      expect(req?.body.media).toEqual(media);
      expect(req?.body.context).toMatchObject({ chat_id: 'c', chat_type: 'thread', thread_id: 't-9' });
    });

    it('returns {text, media, actions} from the reply', async () => {
      agent.respond(() => ({ body: { text: 'here', media: [{ url: 'https://example.com/x.jpg', mimeType: 'image/jpeg' }], actions: [{ type: 'handoff' }], extra: 1 } }));
      await expect(provider.call(target, request, never())).resolves.toEqual({
        text: 'here',
        media: [{ url: 'https://example.com/x.jpg', mimeType: 'image/jpeg' }],
        actions: [{ type: 'handoff' }],
      });
    });

    it.each([
      ['response_text', { response_text: 'old style', actions: [] }, { text: 'old style', actions: [] }],
      ['response', { response: 'older style' }, { text: 'older style' }],
      ['message', { message: 'oldest style' }, { text: 'oldest style' }],
    ])('tolerates older agents answering {%s}', async (_key, body, expected) => {
      agent.respond(() => ({ body }));
      await expect(provider.call(target, request, never())).resolves.toEqual(expected);
    });

    it('maps 4xx to a non-retryable error carrying the status', async () => {
      agent.respond(() => ({ status: 401, body: { detail: 'bad key' } }));
      const err = await callError(provider.call(target, request, never()));
      expect(err).toMatchObject({ code: 'HTTP_401', status: 401, retryable: false });
      expect(err.message).toContain('bad key');
    });

    it('maps 5xx to a retryable error carrying the status', async () => {
      agent.respond(() => ({ status: 503, body: { detail: 'overloaded' } }));
      expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'HTTP_503', status: 503, retryable: true });
    });

    it.each([
      ['a JSON object of the wrong shape', { answer: 'hi' }],
      ['a non-string text', { text: 42 }],
      ['invalid media', { text: 'x', media: [{ mimeType: 'image/png' }] }],
      ['a bare JSON string', 'just text'],
    ])('refuses %s as BAD_RESPONSE', async (_what, body) => {
      agent.respond(() => ({ body }));
      expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    });

    it('refuses a body that is not JSON as BAD_RESPONSE', async () => {
      const raw = await startRawServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>gateway</html>'));
      try {
        expect(await callError(provider.call({ ...target, apiUrl: raw.url }, request, never()))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
      } finally {
        await raw.close();
      }
    });

    it("times out on the target's timeoutMs even when the hub's signal never fires", async () => {
      const hanging = await startRawServer(() => undefined);
      try {
        expect(await callError(provider.call({ ...target, apiUrl: hanging.url, timeoutMs: 150 }, request, never()))).toMatchObject({ code: 'TIMEOUT', retryable: true });
      } finally {
        await hanging.close();
      }
    });

    it("stops when the hub's signal aborts", async () => {
      const hanging = await startRawServer(() => undefined);
      const hub = new AbortController();
      try {
        const pending = provider.call({ ...target, apiUrl: hanging.url, timeoutMs: 60_000 }, request, hub.signal);
        hub.abort();
        expect(await callError(pending)).toMatchObject({ code: 'ABORTED', retryable: false });
      } finally {
        await hanging.close();
      }
    });

    it('maps a refused connection to a retryable NETWORK_ERROR', async () => {
      const gone = await startRawServer(() => undefined);
      await gone.close();
      expect(await callError(provider.call({ ...target, apiUrl: gone.url }, request, never()))).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    });
  });

  describe('health', () => {
    it('is healthy when GET /health answers 2xx', async () => {
      agent.respond(() => ({ body: { status: 'ok' } }));
      await expect(provider.health!(target, never())).resolves.toEqual({ healthy: true });
      expect(agent.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health']);
      expect(agent.requests[0]?.headers.authorization).toBe('Bearer secret-key');
    });

    it('falls back to GET /api/agent/health', async () => {
      agent.respond((req) => (req.path === '/health' ? { status: 404, body: { detail: 'Not Found' } } : { body: { status: 'ok' } }));
      await expect(provider.health!(target, never())).resolves.toEqual({ healthy: true });
      expect(agent.requests.map((r) => r.path)).toEqual(['/health', '/api/agent/health']);
    });

    it('is unhealthy, with the reason, when neither answers 2xx', async () => {
      agent.respond(() => ({ status: 500, body: {} }));
      await expect(provider.health!(target, never())).resolves.toEqual({ healthy: false, error: 'GET /api/agent/health answered 500' });
    });

    it('is unhealthy when the agent cannot be reached', async () => {
      const gone = await startRawServer(() => undefined);
      await gone.close();
      const result = await provider.health!({ ...target, apiUrl: gone.url }, never());
      expect(result.healthy).toBe(false);
      expect(result.error).toContain('could not reach the agent');
    });
  });

  describe('listAgents', () => {
    it('reads an array from GET /api/agents', async () => {
      agent.respond(() => ({ body: [{ id: 'sales', name: 'Sales', description: 'sells' }, { agent_id: 'support' }, 'plain'] }));
      await expect(provider.listAgents!(target, never())).resolves.toEqual([
        { id: 'sales', name: 'Sales', description: 'sells' },
        { id: 'support', name: 'support' },
        { id: 'plain', name: 'plain' },
      ]);
      expect(agent.requests.map((r) => r.path)).toEqual(['/api/agents']);
    });

    it('falls back to GET /api/agent/list answering {items}', async () => {
      agent.respond((req) => (req.path === '/api/agents' ? { status: 404, body: {} } : { body: { items: [{ id: 'a', name: 'A' }] } }));
      await expect(provider.listAgents!(target, never())).resolves.toEqual([{ id: 'a', name: 'A' }]);
      expect(agent.requests.map((r) => r.path)).toEqual(['/api/agents', '/api/agent/list']);
    });

    it('answers the configured agent when the agent API has no listing', async () => {
      agent.respond(() => ({ status: 404, body: {} }));
      await expect(provider.listAgents!(target, never())).resolves.toEqual([{ id: 'echo', name: 'echo' }]);
      await expect(provider.listAgents!({ ...target, agentId: undefined }, never())).resolves.toEqual([{ id: 'default', name: 'Default agent' }]);
    });

    it('throws for other failures and for listings of the wrong shape', async () => {
      agent.respond(() => ({ status: 500, body: {} }));
      expect(await callError(provider.listAgents!(target, never()))).toMatchObject({ code: 'HTTP_500', retryable: true });
      agent.respond(() => ({ body: { agents: 'none' } }));
      expect(await callError(provider.listAgents!(target, never()))).toMatchObject({ code: 'BAD_RESPONSE' });
    });
  });
});
