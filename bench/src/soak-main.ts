/**
 * `npm run bench:soak -w @omni/bench`: does the hub's memory level off? It drives
 * BENCH_SOAK_MESSAGES (50 000) messages through one embedded hub (or PostgreSQL + NATS with
 * BENCH_MODES=services) at BENCH_SOAK_CONCURRENCY (50), in chunks of BENCH_SOAK_CHUNK (10 000),
 * and after each chunk reads the hub's memory after two full GCs (live data) and its RSS. A heap
 * that keeps growing chunk after chunk is a leak; RSS alone is not (V8 keeps heap it grew to).
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBenchConfig } from './config.js';
import { runLoad } from './driver.js';
import { HttpClient } from './http-client.js';
import { createBenchInstance, startHub } from './hub.js';
import { prepareModeEnv } from './mode-env.js';
import { SOURCE_LOADER, sleep, spawnNode, waitForReady, type NodeProcess } from './processes.js';
import { OutboundReceiver } from './receiver.js';
import { table } from './report.js';

const total = Number(process.env.BENCH_SOAK_MESSAGES ?? 50_000);
const chunk = Number(process.env.BENCH_SOAK_CHUNK ?? 10_000);
const concurrency = Number(process.env.BENCH_SOAK_CONCURRENCY ?? 50);

interface Probe {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

async function probe(pid: number, file: string): Promise<Probe> {
  const before = await stat(file).then((s) => s.mtimeMs, () => 0);
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await stat(file).then((s) => s.mtimeMs, () => 0);
    if (now > before) return JSON.parse(await readFile(file, 'utf8')) as Probe;
    if (Date.now() > deadline) throw new Error('the hub did not answer the memory probe: is gc-probe preloaded?');
    await sleep(20);
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig([]);
  const mode = config.modes[0]!;
  const prepared = await prepareModeEnv(mode, config);
  if ('skipped' in prepared) throw new Error(`mode ${mode} skipped: ${prepared.skipped}`);
  const client = new HttpClient(concurrency + 8);
  const receiver = new OutboundReceiver();
  await receiver.start();
  const probeFile = join(tmpdir(), `omni-soak-${process.pid}.json`);
  let agent: NodeProcess | undefined;
  let hub: Awaited<ReturnType<typeof startHub>> | undefined;
  try {
    agent = spawnNode([...SOURCE_LOADER, 'bench/src/entries/agent-main.ts'], {});
    const agentUrl = await waitForReady(agent);
    hub = await startHub(client, { env: { ...prepared.env, OMNI_BENCH_PROBE_FILE: probeFile }, preload: ['./bench/src/soak/gc-probe.ts'], nodeArgs: ['--expose-gc', ...config.hubNodeArgs] });
    const target = await createBenchInstance(client, hub.url, { agentUrl, outboundUrl: `${receiver.url}/out`, name: `soak-${Date.now()}` });
    const runId = Date.now().toString(36);
    const rows: string[][] = [];
    const first = await probe(hub.process.pid, probeFile);
    rows.push(['0', '–', String(first.rssMb), String(first.heapUsedMb), String(first.heapTotalMb), String(first.externalMb)]);
    let heaps: number[] = [];
    for (let sent = 0; sent < total; sent += chunk) {
      const n = Math.min(chunk, total - sent);
      const load = await runLoad({ target, client, receiver, messages: n, concurrency, label: `${runId}-${sent}`, replyTimeoutMs: config.replyTimeoutMs });
      if (load.delivered.length !== n) throw new Error(`${n - load.delivered.length} of ${n} messages got no reply: ${load.firstError}`);
      await sleep(1_000);
      const p = await probe(hub.process.pid, probeFile);
      heaps.push(p.heapUsedMb);
      rows.push([String(sent + n), ((n / load.durationMs) * 1000).toFixed(0), String(p.rssMb), String(p.heapUsedMb), String(p.heapTotalMb), String(p.externalMb)]);
      process.stderr.write(`[soak] ${sent + n}/${total}: RSS ${p.rssMb} MB, heap after GC ${p.heapUsedMb} MB\n`);
    }
    console.log(`Soak: ${prepared.description}; ${total} messages at c=${concurrency}, memory read after each ${chunk} (two full GCs first)`);
    console.log(table(['messages', 'msg/s', 'RSS MB', 'heap used after GC MB', 'heap total MB', 'external MB'], rows));
    heaps = heaps.slice(1); // the first chunk fills the caches and the in-process bus's retained events
    if (heaps.length >= 2) {
      const perChunk = (heaps[heaps.length - 1]! - heaps[0]!) / (heaps.length - 1);
      console.log(`Live heap growth after the first chunk: ${perChunk.toFixed(2)} MB per ${chunk} messages (${perChunk > 1 ? 'GROWING: look for a leak' : 'level'})`);
    }
  } finally {
    await hub?.stop();
    await agent?.stop();
    await receiver.close();
    client.close();
    await prepared.cleanup();
    await rm(probeFile, { force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
