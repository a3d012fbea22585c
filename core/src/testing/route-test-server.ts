import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { buildKoaApp } from '../http/build-koa-app.js';
import type { RouteDefinition } from '../http/route.js';
import { createLogger } from '../logger.js';

export interface RouteTestServer {
  url: string;
  /** Error log lines written while serving: a 500 logs one, so tests can insist on none. */
  errors: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Serves only the given routes, with the production middleware, on 127.0.0.1. */
export async function startRouteTestServer(routes: readonly RouteDefinition[], options: { bodyLimit?: string } = {}): Promise<RouteTestServer> {
  const errors: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) errors.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = buildKoaApp(routes, { logger: createLogger('error', sink), bodyLimit: options.bodyLimit ?? '100kb' });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
