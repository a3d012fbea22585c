import { randomBytes } from 'node:crypto';
import type { InboundTarget } from './driver.js';
import type { HttpClient } from './http-client.js';
import { freePort, SOURCE_LOADER, sleep, spawnNode, type NodeProcess } from './processes.js';

/** The admin API key every hub of this run starts with (`OMNI_API_KEY`); the bench sends it on /api/v2 calls. */
export const HUB_API_KEY = `omni_bench_${randomBytes(24).toString('base64url')}`;
export const hubAuth = { 'x-api-key': HUB_API_KEY };

export interface HubOptions {
  /** OMNI_* / DATABASE_URL / NATS_URL settings of the mode. */
  env: Record<string, string>;
  /** Extra node flags (e.g. `--cpu-prof`), placed before the loader. */
  nodeArgs?: readonly string[];
  /** Modules to `--import` before the CLI (e.g. the SQL counter of the profile run). */
  preload?: readonly string[];
  startTimeoutMs?: number;
}

export interface Hub {
  url: string;
  process: NodeProcess;
  /** Log lines the hub printed (at LOG_LEVEL=warn: warnings and errors only). */
  logLines(): string[];
  stop(): Promise<number | null>;
}

/**
 * Starts `omni start` from sources, as `npm start` does, in its own process, at LOG_LEVEL=warn
 * (logging every request would dominate). At warn the hub does not print "omni listening", so
 * it gets a known free port and is polled on /api/v2/health until it answers 200.
 */
export async function startHub(client: HttpClient, options: HubOptions): Promise<Hub> {
  const port = await freePort();
  const preload = (options.preload ?? []).flatMap((p) => ['--import', p]);
  const proc = spawnNode([...(options.nodeArgs ?? []), ...SOURCE_LOADER, ...preload, 'core/src/cli.ts', 'start'], {
    OMNI_HOST: '127.0.0.1',
    OMNI_PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    OMNI_API_KEY: HUB_API_KEY,
    // The bench sends far more than the default 600 requests a minute from one address.
    OMNI_RATE_LIMIT: '0',
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`omni exited (${proc.child.exitCode ?? proc.child.signalCode}) before listening; stderr: ${proc.stderr()}; stdout: ${proc.lines.join('\n')}`);
    }
    const health = await client.get(`${url}/api/v2/health`).catch(() => undefined);
    if (health?.status === 200) break;
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new Error(`omni did not answer /api/v2/health with 200 within the start timeout (last: ${health ? `${health.status} ${JSON.stringify(health.body)}` : 'no answer'})`);
    }
    await sleep(50);
  }
  return { url, process: proc, logLines: () => proc.lines, stop: () => proc.stop() };
}

export interface BenchInstanceOptions {
  agentUrl: string;
  outboundUrl: string;
  name: string;
}

/** A webhook instance answering through the echo agent, debounce off and auto-split off. */
export async function createBenchInstance(client: HttpClient, hubUrl: string, o: BenchInstanceOptions): Promise<InboundTarget> {
  const secret = `bench-${randomBytes(12).toString('hex')}`;
  const res = await client.post(`${hubUrl}/api/v2/instances`, {
    name: o.name,
    channel: 'webhook',
    channelConfig: { secret, outboundUrl: o.outboundUrl },
    agent: { providerType: 'agent_api', apiUrl: o.agentUrl, timeout: 30_000 },
    messaging: { debounceMode: 'disabled', enableAutoSplit: false },
  }, hubAuth);
  if (res.status !== 201) throw new Error(`creating the bench instance answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { baseUrl: hubUrl, instanceId: String(res.body.id), secret };
}
