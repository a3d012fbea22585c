import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { adminKeyBanner, bootstrapAdminKey } from './auth/bootstrap-admin-key.js';
import type { OmniConfig } from './config.js';
import { createHttpApp } from './http/create-http-app.js';
import { createKernel, type Kernel } from './kernel/create-kernel.js';
import type { PluginCandidate } from './kernel/plugin-manager.js';
import type { ManagedEventBus } from './events/create-event-bus.js';

export interface RunningServer {
  kernel: Kernel;
  server: Server;
  /** Base URL, e.g. http://127.0.0.1:8882 */
  url: string;
  stop(): Promise<void>;
}

/** Builds the kernel, starts the plugins and listens. `config.port` 0 picks a free port. */
export async function startServer(options: {
  config: OmniConfig;
  logger: PinoLogger;
  plugins: readonly PluginCandidate[];
  eventBus?: ManagedEventBus;
  /** Shows a generated admin key once (default: a banner on stderr). */
  announceAdminKey?: (key: string) => void;
}): Promise<RunningServer> {
  const kernel = await createKernel(options);
  const { app } = createHttpApp(kernel);
  await kernel.start();
  await bootstrapAdminKey(kernel.apiKeys, options.config.apiKey, options.announceAdminKey ?? ((key) => process.stderr.write(`${adminKeyBanner(key)}\n`)), kernel.logger);
  const server = app.listen(options.config.port, options.config.host);
  try {
    await once(server, 'listening');
  } catch (err) {
    await kernel.stop();
    throw err;
  }
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  await kernel.hooks.callSerial('server.ready', { url });
  kernel.logger.info({ url, plugins: kernel.plugins.list().map((p) => `${p.id}:${p.status}`) }, 'omni listening');

  let stopping: Promise<void> | undefined;
  return {
    kernel,
    server,
    url,
    stop: () =>
      (stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await kernel.stop();
      })()),
  };
}
