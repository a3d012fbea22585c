import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  body: any;
}

export type CaptureResponder = (req: CapturedRequest) => { status?: number; body?: unknown; headers?: Record<string, string> } | Promise<{ status?: number; body?: unknown; headers?: Record<string, string> }>;

export interface CaptureServer {
  url: string;
  /** Every request received, in order. */
  requests: CapturedRequest[];
  /** Resolves with the next request not yet taken by `next()`; rejects after `timeoutMs`. */
  next(timeoutMs?: number): Promise<CapturedRequest>;
  /** Replaces how the server answers (default: 200 `{ok:true}`). */
  respond(responder: CaptureResponder): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records what it is sent: stands in for outbound receivers and agents. */
export async function startCaptureServer(responder?: CaptureResponder): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  let taken = 0;
  const waiting: Array<() => void> = [];
  let respond: CaptureResponder = responder ?? (() => ({ status: 200, body: { ok: true } }));

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks);
      let body: unknown;
      try {
        body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      const captured: CapturedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, rawBody, body };
      requests.push(captured);
      waiting.splice(0).forEach((wake) => wake());
      try {
        const answer = await respond(captured);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    next(timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no request within ${timeoutMs} ms`)), timeoutMs);
        const take = () => {
          if (taken < requests.length) {
            clearTimeout(timer);
            resolve(requests[taken++]!);
          } else waiting.push(take);
        };
        take();
      });
    },
    respond(next) {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
