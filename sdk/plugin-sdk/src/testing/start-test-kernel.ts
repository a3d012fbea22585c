import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, startServer, type Kernel, type OmniConfig } from '@omni/core';
import { createScratchPostgres, deleteNatsNamespace, uniqueNatsNamespace } from '@omni/core/testing';
import type { PluginDefinition } from '../plugin.js';
import { EventRecorder } from './event-recorder.js';
import { TestHttpClient } from './http-client.js';

export interface TestKernelOptions {
  /** The plugins to load, as `definePlugin` values. No built-in plugin is loaded unless listed. */
  plugins: readonly unknown[];
  /** Per-plugin config, keyed by plugin id. */
  config?: Record<string, unknown>;
  /** Overrides for the kernel configuration (e.g. `setupTimeoutMs`). */
  kernel?: Partial<OmniConfig>;
  /**
   * `embedded` (default): in-memory SQLite and the in-process bus. `services`: a scratch
   * PostgreSQL database on the server of `DATABASE_URL` and a throw-away namespace on the NATS
   * of `NATS_URL`, both removed by `stop()`.
   */
  backend?: 'embedded' | 'services';
}

export interface TestKernel {
  /** Base URL of the running HTTP API. */
  url: string;
  /** The admin API key of this kernel; `http` sends it on every request. */
  apiKey: string;
  http: TestHttpClient;
  kernel: Kernel;
  hooks: Kernel['hooks'];
  events: EventRecorder & { bus: Kernel['events'] };
  db: Kernel['database'];
  /** Creates an instance of a channel and connects it. */
  createInstance(input: { channel: string; name?: string; channelConfig?: Record<string, unknown>; connect?: boolean }): ReturnType<Kernel['instances']['create']>;
  stop(): Promise<void>;
}

let counter = 0;

/**
 * Starts a real kernel and HTTP server on 127.0.0.1 (random port) with in-memory SQLite and
 * the in-process event bus, loaded with the given plugins. Call `stop()` when done.
 */
export async function startTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const dataDir = await mkdtemp(join(tmpdir(), 'omni-test-'));
  const base = loadConfig({ LOG_LEVEL: process.env.OMNI_TEST_LOG_LEVEL ?? 'silent' });
  const services = options.backend === 'services' ? await startServices() : undefined;
  const config: OmniConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: services?.databaseUrl ?? ':memory:',
    natsUrl: services?.natsUrl,
    natsNamespace: services?.natsNamespace ?? base.natsNamespace,
    environment: 'test',
    pluginConfig: options.config ?? {},
    apiKey: `omni_test_${randomBytes(24).toString('base64url')}`,
    // Tests poll the API in tight loops; a test of rate limiting sets its own limit.
    rateLimit: 0,
    ...options.kernel,
  };
  const apiKey = config.apiKey!;
  const logger = createLogger(config.logLevel);
  const plugins = options.plugins.map((definition, i) => ({ definition, source: `test:${(definition as Partial<PluginDefinition>)?.id ?? i}` }));
  const running = await startServer({ config, logger, plugins });
  const recorder = await EventRecorder.attach(running.kernel.events);
  return {
    url: running.url,
    apiKey,
    http: new TestHttpClient(running.url, { 'x-api-key': apiKey }),
    kernel: running.kernel,
    hooks: running.kernel.hooks,
    events: Object.assign(recorder, { bus: running.kernel.events }),
    db: running.kernel.database,
    createInstance: (input) => running.kernel.instances.create({ name: input.name ?? `${input.channel}-${++counter}-${Date.now()}`, ...input }),
    stop: async () => {
      await running.stop();
      await services?.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A scratch database and NATS namespace for one test kernel. */
async function startServices() {
  const { DATABASE_URL, NATS_URL } = process.env;
  if (!DATABASE_URL || !NATS_URL) throw new Error("startTestKernel({ backend: 'services' }) needs DATABASE_URL (postgres://…) and NATS_URL");
  const database = await createScratchPostgres(DATABASE_URL);
  const natsNamespace = uniqueNatsNamespace('test');
  return {
    databaseUrl: database.url,
    natsUrl: NATS_URL,
    natsNamespace,
    cleanup: async () => {
      await deleteNatsNamespace(NATS_URL, natsNamespace);
      await database.drop();
    },
  };
}
