import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentCallError, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import { startCaptureServer, type CaptureServer } from '@omni/plugin-sdk/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookAgentProvider } from './agent-webhook-provider.js';

const provider = createWebhookAgentProvider();
const never = () => new AbortController().signal;

const request: AgentRequest = {
  message: 'where is my order?',
  messageType: 'text',
  sessionId: 'sess-7',
  sessionName: 'discord-main_u7',
  userId: 'person-7',
  user: { name: 'Bo', email: 'bo@example.com', platformUserId: 'u7' },
  instance: { id: 'inst-2', name: 'discord-main', channel: 'discord' },
  chat: { id: 'chan-1', type: 'thread', threadId: 'th-1' },
  media: [{ url: 'https://example.com/receipt.pdf', mimeType: 'application/pdf', filename: 'receipt.pdf' }],
  context: { mentions: ['bot'] },
};

async function startRawServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
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

describe('webhook agent provider', () => {
  let agent: CaptureServer;
  let target: AgentTarget;

  beforeAll(async () => {
    agent = await startCaptureServer();
  });
  afterAll(() => agent.close());
  beforeEach(() => {
    agent.requests.splice(0);
    agent.respond(() => ({ body: { text: 'on its way' } }));
    target = { apiUrl: `${agent.url}/hooks/agent?tenant=1`, apiKey: 'tok-1', agentId: 'orders', timeoutMs: 5_000, streaming: false };
  });

  it('POSTs the AgentRequest exactly, plus agentId, to apiUrl as configured, with bearer auth', async () => {
    await expect(provider.call(target, request, never())).resolves.toEqual({ text: 'on its way' });
    const [req] = agent.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/hooks/agent?tenant=1');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.authorization).toBe('Bearer tok-1');
    expect(req?.headers['x-api-key']).toBeUndefined();
    expect(req?.body).toEqual({ ...request, agentId: 'orders' });
  });

  it('sends no authorization and no agentId when the target has none', async () => {
    await provider.call({ apiUrl: agent.url, timeoutMs: 5_000, streaming: false }, request, never());
    const [req] = agent.requests;
    expect(req?.headers.authorization).toBeUndefined();
    expect(req?.body).toEqual(request);
  });

  it('returns media and actions from the reply', async () => {
    agent.respond(() => ({ body: { text: '', media: [{ base64: 'aGk=', mimeType: 'text/plain' }], actions: ['close'] } }));
    await expect(provider.call(target, request, never())).resolves.toEqual({ text: '', media: [{ base64: 'aGk=', mimeType: 'text/plain' }], actions: ['close'] });
  });

  it.each([
    ['an older {response_text} reply', { response_text: 'old' }],
    ['a non-string text', { text: ['a'] }],
    ['media that is not a list', { text: 'x', media: { url: 'https://example.com/a.png' } }],
    ['null', null],
  ])('refuses %s as BAD_RESPONSE', async (_what, body) => {
    agent.respond(() => ({ body }));
    expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
  });

  it('refuses a body that is not JSON as BAD_RESPONSE', async () => {
    const raw = await startRawServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
    try {
      expect(await callError(provider.call({ ...target, apiUrl: raw.url }, request, never()))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    } finally {
      await raw.close();
    }
  });

  it('maps 4xx to non-retryable and 5xx to retryable errors carrying the status', async () => {
    agent.respond(() => ({ status: 422, body: { error: 'no' } }));
    expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'HTTP_422', status: 422, retryable: false });
    agent.respond(() => ({ status: 502, body: { error: 'upstream' } }));
    expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'HTTP_502', status: 502, retryable: true });
  });

  it("times out on the target's timeoutMs", async () => {
    const hanging = await startRawServer(() => undefined);
    try {
      expect(await callError(provider.call({ ...target, apiUrl: hanging.url, timeoutMs: 150 }, request, never()))).toMatchObject({ code: 'TIMEOUT', retryable: true });
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
