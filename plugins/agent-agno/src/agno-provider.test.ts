import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentCallError, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgnoProvider } from './agno-provider.js';

const provider = createAgnoProvider();
const never = () => new AbortController().signal;

const request: AgentRequest = {
  message: 'tell me about Agno & friends',
  messageType: 'text',
  sessionId: 'sess-42',
  sessionName: 'telegram-bot_42',
  userId: 'person-42',
  user: { name: 'Cy', platformUserId: '42' },
  instance: { id: 'inst-3', name: 'telegram-bot', channel: 'telegram' },
  chat: { id: '42', type: 'dm' },
  context: {},
};

interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}
type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

/** A stand-in AgentOS on 127.0.0.1: records each request (form fields parsed) and answers with the current handler. */
async function startFakeAgentOs() {
  const requests: SeenRequest[] = [];
  let handler: Handler = (_req, res) => void res.writeHead(404).end();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) };
      requests.push(seen);
      void handler(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    handle(next: Handler) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** One event the way AgentOS's format_sse_event writes it. */
const sse = (event: string, fields: Record<string, unknown> = {}) => `event: ${event}\ndata: ${JSON.stringify({ event, agent_id: 'support', run_id: 'r-1', ...fields })}\n\n`;

/** Writes `text` as UTF-8 in pieces of the given sizes (cycled), so lines and characters split across writes. */
async function writeInPieces(res: ServerResponse, text: string, sizes: readonly number[]) {
  const bytes = Buffer.from(text, 'utf8');
  res.socket?.setNoDelay(true);
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    await new Promise<void>((resolve, reject) => res.write(bytes.subarray(at, at + n), (err) => (err ? reject(err) : resolve())));
    at += n;
  }
}

const startSse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const deltas: string[] = [];
  for await (const d of stream) deltas.push(d);
  return deltas;
}

async function callError(promise: Promise<unknown>): Promise<AgentCallError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentCallError);
  return err as AgentCallError;
}

describe('agno provider', () => {
  let os: Awaited<ReturnType<typeof startFakeAgentOs>>;
  let target: AgentTarget;

  beforeAll(async () => {
    os = await startFakeAgentOs();
  });
  afterAll(() => os.close());
  beforeEach(() => {
    os.requests.splice(0);
    target = { apiUrl: `${os.url}/`, apiKey: 'os-security-key', agentId: 'support agent', timeoutMs: 5_000, streaming: false };
  });

  describe('call', () => {
    it('POSTs the form fields with stream=false to /agents/{agentId}/runs and returns content', async () => {
      os.handle((_req, res) => json(res, 200, { run_id: 'r-1', agent_id: 'support agent', session_id: 'sess-42', content: 'Agno is a framework.', content_type: 'str', status: 'COMPLETED' }));
      await expect(provider.call(target, request, never())).resolves.toEqual({ text: 'Agno is a framework.' });
      const [req] = os.requests;
      expect(req?.method).toBe('POST');
      expect(req?.path).toBe('/agents/support%20agent/runs');
      expect(req?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      expect(req?.headers.authorization).toBe('Bearer os-security-key');
      expect(req?.headers.accept).toBe('application/json');
      expect(req?.form).toEqual({ message: 'tell me about Agno & friends', stream: 'false', session_id: 'sess-42', user_id: 'person-42' });
    });

    it('sends no authorization without an apiKey and renders structured output as JSON', async () => {
      os.handle((_req, res) => json(res, 200, { content: { answer: 42 }, content_type: 'Answer', status: 'COMPLETED' }));
      await expect(provider.call({ ...target, apiKey: undefined }, request, never())).resolves.toEqual({ text: '{"answer":42}' });
      expect(os.requests[0]?.headers.authorization).toBeUndefined();
    });

    it('refuses a target without agentId before calling anything', async () => {
      expect(await callError(provider.call({ ...target, agentId: undefined }, request, never()))).toMatchObject({ code: 'MISSING_AGENT_ID', retryable: false });
      expect(os.requests).toHaveLength(0);
    });

    it('maps a run with status ERROR to a retryable AGENT_ERROR, and a run without content to BAD_RESPONSE', async () => {
      os.handle((_req, res) => json(res, 200, { content: 'model overloaded', status: 'ERROR' }));
      const failed = await callError(provider.call(target, request, never()));
      expect(failed).toMatchObject({ code: 'AGENT_ERROR', retryable: true });
      expect(failed.message).toContain('model overloaded');
      os.handle((_req, res) => json(res, 200, { status: 'PAUSED', tools: [] }));
      expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    });

    it('maps 4xx to non-retryable and 5xx to retryable errors carrying the status', async () => {
      os.handle((_req, res) => json(res, 404, { detail: 'Agent not found' }));
      const notFound = await callError(provider.call(target, request, never()));
      expect(notFound).toMatchObject({ code: 'HTTP_404', status: 404, retryable: false });
      expect(notFound.message).toContain('Agent not found');
      os.handle((_req, res) => json(res, 500, { detail: 'boom' }));
      expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'HTTP_500', status: 500, retryable: true });
    });

    it('refuses a body that is not JSON as BAD_RESPONSE', async () => {
      os.handle((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>proxy</h1>'));
      expect(await callError(provider.call(target, request, never()))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    });

    it("times out on the target's timeoutMs", async () => {
      os.handle(() => undefined);
      expect(await callError(provider.call({ ...target, timeoutMs: 150 }, request, never()))).toMatchObject({ code: 'TIMEOUT', retryable: true });
    });
  });

  describe('stream', () => {
    const run = [
      sse('RunStarted', { model: 'gpt-x' }),
      sse('ToolCallStarted', { tool: { tool_name: 'search' } }),
      sse('ToolCallCompleted', { content: 'tool output, not an answer' }),
      sse('RunContent', { content: 'Hel', content_type: 'str' }),
      sse('RunContent', { content: 'lo 🌍', content_type: 'str' }),
      sse('RunContent', { content: ' wörld', content_type: 'str' }),
      sse('RunContentCompleted'),
      sse('RunCompleted', { content: 'Hello 🌍 wörld' }),
    ].join('');

    it('POSTs stream=true and yields the RunContent deltas, split at awkward byte boundaries', async () => {
      os.handle(async (_req, res) => {
        startSse(res);
        await writeInPieces(res, run, [1, 3, 2, 7, 5, 11]);
        res.end();
      });
      expect(await collect(provider.stream!(target, request, never()))).toEqual(['Hel', 'lo 🌍', ' wörld']);
      const [req] = os.requests;
      expect(req?.path).toBe('/agents/support%20agent/runs');
      expect(req?.headers.accept).toBe('text/event-stream');
      expect(req?.headers.authorization).toBe('Bearer os-security-key');
      expect(req?.form).toEqual({ message: 'tell me about Agno & friends', stream: 'true', session_id: 'sess-42', user_id: 'person-42' });
    });

    it('yields each delta as it arrives, before the run has finished', async () => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      os.handle(async (_req, res) => {
        startSse(res);
        await writeInPieces(res, sse('RunContent', { content: 'first' }), [4]);
        await finished;
        res.end(sse('RunContent', { content: ' second' }) + sse('RunCompleted', { content: 'first second' }));
      });
      const deltas = provider.stream!(target, request, never())[Symbol.asyncIterator]();
      expect(await deltas.next()).toEqual({ value: 'first', done: false });
      finish();
      expect(await deltas.next()).toEqual({ value: ' second', done: false });
      expect(await deltas.next()).toEqual({ value: undefined, done: true });
    });

    it('understands Agno 1.x RunResponseContent events, also with CRLF line endings and the name only on the event line', async () => {
      os.handle(async (_req, res) => {
        startSse(res);
        const legacy = 'event: RunResponseContent\r\ndata: {"content":"old "}\r\n\r\nevent: RunResponseContent\r\ndata: {"content":"agno"}\r\n\r\nevent: RunCompleted\r\ndata: {"content":"old agno"}\r\n\r\n';
        await writeInPieces(res, legacy, [2, 9]);
        res.end();
      });
      expect(await collect(provider.stream!(target, request, never()))).toEqual(['old ', 'agno']);
    });

    it('yields the whole answer of RunCompleted when no delta came', async () => {
      os.handle((_req, res) => void startSse(res).end(sse('RunStarted') + sse('RunCompleted', { content: { answer: 'structured' } })));
      expect(await collect(provider.stream!(target, request, never()))).toEqual(['{"answer":"structured"}']);
    });

    it('throws a retryable AGENT_ERROR on RunError, after the deltas before it', async () => {
      os.handle((_req, res) => void startSse(res).end(sse('RunContent', { content: 'partial' }) + sse('RunError', { content: 'rate limited by the model provider' })));
      const deltas: string[] = [];
      const err = await callError(
        (async () => {
          for await (const d of provider.stream!(target, request, never())) deltas.push(d);
        })(),
      );
      expect(deltas).toEqual(['partial']);
      expect(err).toMatchObject({ code: 'AGENT_ERROR', retryable: true });
      expect(err.message).toContain('rate limited');
    });

    it('throws AGENT_CANCELLED on RunCancelled', async () => {
      os.handle((_req, res) => void startSse(res).end(sse('RunCancelled', { reason: 'user stop' })));
      expect(await callError(collect(provider.stream!(target, request, never())))).toMatchObject({ code: 'AGENT_CANCELLED', retryable: false });
    });

    it.each([
      ['ends without any content', sse('RunStarted') + sse('RunContentCompleted')],
      ['sends data that is not JSON', 'event: RunContent\ndata: hello\n\n'],
    ])('throws BAD_RESPONSE when the stream %s', async (_what, body) => {
      os.handle((_req, res) => void startSse(res).end(body));
      expect(await callError(collect(provider.stream!(target, request, never())))).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    });

    it('maps an error status to AgentCallError before any delta', async () => {
      os.handle((_req, res) => json(res, 401, { detail: 'Invalid authentication token' }));
      expect(await callError(collect(provider.stream!(target, request, never())))).toMatchObject({ code: 'HTTP_401', status: 401, retryable: false });
    });

    it('yields a JSON run answered despite stream=true as one delta', async () => {
      os.handle((_req, res) => json(res, 200, { content: 'not streamed', status: 'COMPLETED' }));
      expect(await collect(provider.stream!(target, request, never()))).toEqual(['not streamed']);
    });

    it('times out mid-stream with a retryable TIMEOUT', async () => {
      os.handle((_req, res) => void startSse(res).write(sse('RunContent', { content: 'then silence' })));
      const deltas: string[] = [];
      const err = await callError(
        (async () => {
          for await (const d of provider.stream!({ ...target, timeoutMs: 300 }, request, never())) deltas.push(d);
        })(),
      );
      expect(deltas).toEqual(['then silence']);
      expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    });

    it('closes the connection when the consumer stops early', { timeout: 10_000 }, async () => {
      let closed!: () => void;
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      os.handle((_req, res) => {
        res.on('close', () => closed());
        startSse(res).write(sse('RunContent', { content: 'enough' }));
      });
      // A long timeoutMs: only the provider cancelling the body can close the connection in time.
      for await (const delta of provider.stream!({ ...target, timeoutMs: 60_000 }, request, never())) {
        expect(delta).toBe('enough');
        break;
      }
      await connectionClosed;
    });
  });

  describe('health', () => {
    it('is healthy when GET /health answers 2xx', async () => {
      os.handle((_req, res) => json(res, 200, { status: 'ok', instantiated_at: '1700000000.0' }));
      await expect(provider.health!(target, never())).resolves.toEqual({ healthy: true });
      expect(os.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /health']);
    });

    it('is unhealthy, with the reason, otherwise', async () => {
      os.handle((_req, res) => json(res, 503, {}));
      await expect(provider.health!(target, never())).resolves.toEqual({ healthy: false, error: 'GET /health answered 503' });
      const unreachable = await provider.health!({ ...target, apiUrl: 'http://127.0.0.1:1' }, never());
      expect(unreachable).toMatchObject({ healthy: false, error: expect.stringContaining('could not reach the agent') });
    });
  });

  describe('listAgents', () => {
    it('maps GET /agents to {id, name, description}', async () => {
      os.handle((_req, res) =>
        json(res, 200, [
          { id: 'support', name: 'Support', description: 'Answers customers', model: { name: 'OpenAIChat' } },
          { agent_id: 'legacy-id' },
          { name: 'no id: skipped' },
        ]),
      );
      await expect(provider.listAgents!(target, never())).resolves.toEqual([
        { id: 'support', name: 'Support', description: 'Answers customers' },
        { id: 'legacy-id', name: 'legacy-id' },
      ]);
      expect(os.requests[0]).toMatchObject({ method: 'GET', path: '/agents', headers: { authorization: 'Bearer os-security-key' } });
    });

    it('throws for error statuses and for answers that are not a list', async () => {
      os.handle((_req, res) => json(res, 401, { detail: 'Unauthorized' }));
      expect(await callError(provider.listAgents!(target, never()))).toMatchObject({ code: 'HTTP_401', retryable: false });
      os.handle((_req, res) => json(res, 200, { items: [] }));
      expect(await callError(provider.listAgents!(target, never()))).toMatchObject({ code: 'BAD_RESPONSE' });
    });
  });
});
