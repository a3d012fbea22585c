import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { echoText, requestedDelay } from './echo-reply.js';

export { SPLIT_MARKER, echoText } from './echo-reply.js';

export interface EchoAgentOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Artificial latency before every answer, in ms (a message's `[[delay:<ms>]]` overrides it). */
  delayMs?: number;
  /** When set, requests must carry it as `x-api-key` or `Authorization: Bearer`; 401 otherwise. */
  apiKey?: string;
  /** Called for every reply the hub POSTs to `/replies` (use `<url>/replies` as a webhook instance's outboundUrl). */
  onReply?: (reply: unknown) => void;
}

export interface EchoAgent {
  /** Base URL: use it as the agent's apiUrl. */
  url: string;
  /** How many `POST /api/agent/chat` requests arrived so far. */
  readonly calls: number;
  /** Replies the hub delivered to `POST /replies`, oldest first (the last 100). */
  readonly replies: unknown[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The v1 contract's echo agent: `POST /api/agent/chat` answers `{text: "Echo: <message>"}`,
 * `GET /health` answers `{status: "ok"}`, `GET /api/agents` lists the one agent, `echo`.
 */
export async function startEchoAgent(options: EchoAgentOptions = {}): Promise<EchoAgent> {
  const host = options.host ?? '127.0.0.1';
  const closing = new AbortController();
  let calls = 0;
  const replies: unknown[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const body = await readBody(req);
    if (req.method === 'GET' && path === '/health') return send(res, 200, { status: 'ok' });
    if (req.method === 'POST' && path === '/replies') {
      // Stands in for the system that receives the hub's replies, so a demo needs nothing else.
      const reply = body ? (JSON.parse(body) as unknown) : undefined;
      replies.push(reply);
      if (replies.length > 100) replies.shift();
      options.onReply?.(reply);
      return send(res, 200, { received: true });
    }
    if (options.apiKey && !authorized(req, options.apiKey)) return send(res, 401, { error: 'invalid api key' });
    if (req.method === 'GET' && path === '/api/agents') return send(res, 200, [{ id: 'echo', name: 'Echo', description: 'Answers every message with "Echo: <message>"' }]);
    if (path !== '/api/agent/chat') return send(res, 404, { error: `no route for ${req.method} ${path}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });

    calls++;
    if (body === undefined) return send(res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
    const message = parseMessage(body);
    if (message === undefined) return send(res, 400, { error: 'expected a JSON body with a string "message"' });
    const delayMs = requestedDelay(message) ?? options.delayMs ?? 0;
    if (delayMs > 0) {
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      const ok = await sleep(delayMs, true, { signal: AbortSignal.any([gone.signal, closing.signal]) }).catch(() => false);
      if (!ok) return;
    }
    send(res, 200, { text: echoText(message) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    replies,
    get calls() {
      return calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorized(req: IncomingMessage, apiKey: string): boolean {
  return req.headers['x-api-key'] === apiKey || req.headers.authorization === `Bearer ${apiKey}`;
}

/** The whole body as text; undefined when it is over the limit. Always drains the request, so the connection stays usable. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function parseMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...headers });
  res.end(json);
}
