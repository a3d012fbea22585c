/**
 * `npm run profile -w @omni/bench`: one load run per mode with the hub's CPU profiled and its SQL
 * statements counted, over the measured window only (see profile/profile-hooks.ts). Prints where
 * the time goes and how many statements a message costs; writes bench/results/profile-<mode>.json
 * and keeps the .cpuprofile files (open them in Chrome DevTools or speedscope).
 * Env: BENCH_PROFILE_MESSAGES (2000), BENCH_PROFILE_CONCURRENCY (20), BENCH_MODES, BENCH_WARMUP.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { knex } from '@mikro-orm/knex';
import { loadBenchConfig, type Mode } from './config.js';
import { cpuTimeMs } from './cpu.js';
import { runLoad } from './driver.js';
import { HttpClient } from './http-client.js';
import { createBenchInstance, startHub, type Hub } from './hub.js';
import { prepareModeEnv } from './mode-env.js';
import { REPO_ROOT, SOURCE_LOADER, sleep, spawnNode, waitForReady } from './processes.js';
import { summarizeProfile, type CpuProfile } from './profile/cpuprofile-summary.js';
import { sqlKind } from './profile/sql-template.js';
import { OutboundReceiver } from './receiver.js';
import { table } from './report.js';
import { perSecond, summarize } from './stats.js';

const RESULTS = join(REPO_ROOT, 'bench/results');
const messages = Number(process.env.BENCH_PROFILE_MESSAGES ?? 2_000);
const concurrency = Number(process.env.BENCH_PROFILE_CONCURRENCY ?? 20);
/** PostgreSQL backends publish their statistics when idle, at most every 10 s. */
const PG_STATS_FLUSH_MS = 11_000;

async function toggleWindow(hub: Hub, dir: string, window: number, marker: 'started' | 'done'): Promise<void> {
  hub.process.child.kill('SIGUSR2');
  const file = join(dir, `window-${window}.${marker}`);
  const deadline = Date.now() + 30_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`the hub did not write ${file}: is profile-hooks preloaded?`);
    await sleep(20);
  }
}

async function pgStats(url: string): Promise<Record<string, number>> {
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const { rows } = await db.raw('select xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted from pg_stat_database where datname = current_database()');
    return Object.fromEntries(Object.entries(rows[0] as Record<string, string>).map(([k, v]) => [k, Number(v)]));
  } finally {
    await db.destroy();
  }
}

async function profileMode(mode: Mode, client: HttpClient, receiver: OutboundReceiver, agentUrl: string): Promise<string> {
  const config = loadBenchConfig([]);
  const prepared = await prepareModeEnv(mode, config);
  if ('skipped' in prepared) return `Mode ${mode}: SKIPPED: ${prepared.skipped}`;
  const dir = join(RESULTS, 'profile', mode);
  await rm(dir, { recursive: true, force: true });
  let hub: Hub | undefined;
  try {
    hub = await startHub(client, { env: { ...prepared.env, OMNI_BENCH_PROFILE_DIR: dir }, preload: ['./bench/src/profile/profile-hooks.ts'], nodeArgs: ['--expose-gc'] });
    const target = await createBenchInstance(client, hub.url, { agentUrl, outboundUrl: `${receiver.url}/out`, name: `profile-${mode}-${Date.now()}` });
    const runId = Date.now().toString(36);
    const base = { target, client, receiver, concurrency, replyTimeoutMs: config.replyTimeoutMs };
    await runLoad({ ...base, messages: Math.max(config.warmup, 500), label: `${runId}-warm` });
    await sleep(prepared.databaseUrl ? PG_STATS_FLUSH_MS : 1_000);
    const pgBefore = prepared.databaseUrl ? await pgStats(prepared.databaseUrl) : undefined;

    await toggleWindow(hub, dir, 0, 'started');
    const cpuBefore = cpuTimeMs(hub.process.pid);
    const load = await runLoad({ ...base, messages, label: `${runId}-profile` });
    await sleep(1_000); // every row final (they are within ~0.2 s of the last reply)
    const cpuMs = cpuTimeMs(hub.process.pid) - cpuBefore;
    await toggleWindow(hub, dir, 0, 'done');
    const pgAfter = prepared.databaseUrl ? (await sleep(PG_STATS_FLUSH_MS), await pgStats(prepared.databaseUrl)) : undefined;

    const profile = JSON.parse(await readFile(join(dir, 'window-0.cpuprofile'), 'utf8')) as CpuProfile;
    const sql = JSON.parse(await readFile(join(dir, 'window-0.sql.json'), 'utf8')) as { total: number; templates: Array<{ sql: string; count: number; ms: number; prepareMs: number }> };
    const cpu = summarizeProfile(profile, REPO_ROOT);
    const memory = JSON.parse(await readFile(join(dir, 'window-0.memory.json'), 'utf8')) as { memoryUsageMb: Record<string, number>; afterFullGcMb?: Record<string, number>; heapSpaceUsedMb: Record<string, number> };
    const n = load.delivered.length;
    const kinds = new Map<string, { count: number; ms: number; prepareMs: number }>();
    for (const t of sql.templates) {
      const k = kinds.get(sqlKind(t.sql)) ?? { count: 0, ms: 0, prepareMs: 0 };
      kinds.set(sqlKind(t.sql), { count: k.count + t.count, ms: k.ms + t.ms, prepareMs: k.prepareMs + t.prepareMs });
    }
    const sqlMs = sql.templates.reduce((a, t) => a + t.ms, 0);
    const prepareMs = sql.templates.reduce((a, t) => a + t.prepareMs, 0);
    const latency = summarize(load.delivered.map((d) => d.latencyMs));
    const perMsg = (x: number) => (x / n).toFixed(2);

    const lines = [
      `Mode ${mode}: ${prepared.description}`,
      `${n}/${messages} replied at c=${concurrency}: ${perSecond(n, load.durationMs).toFixed(0)} msg/s, p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms (profiler on: indicative only)`,
      `hub CPU ${(cpuMs / n).toFixed(2)} ms per message; ${((cpuMs / (load.durationMs + 1_000)) * 100).toFixed(0)}% of one core over the window; main thread busy ${(((cpu.totalMs - cpu.idleMs) / cpu.totalMs) * 100).toFixed(0)}% of the sampled time`,
      `hub memory after the warm-up (MB): ${Object.entries(memory.memoryUsageMb).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      ...(memory.afterFullGcMb ? [`  after a full GC: ${Object.entries(memory.afterFullGcMb).map(([k, v]) => `${k} ${v}`).join(', ')}; V8 heap spaces used: ${Object.entries(memory.heapSpaceUsedMb).filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
      '',
      `SQL statements: ${sql.total} in the window = ${perMsg(sql.total)} per message (BEGIN/COMMIT included); time until results ${perMsg(sqlMs)} ms per message` +
        (mode === 'embedded' ? ` (libsql is synchronous: on SQLite this time blocks the event loop; of it, preparing statements: ${perMsg(prepareMs)} ms)` : ' (round trips; the event loop is free meanwhile)'),
      table(['statement (verb + first table)', 'count', 'per message', 'ms per message', 'ms each', ...(mode === 'embedded' ? ['prepare ms each'] : [])], [...kinds].sort((a, b) => b[1].count - a[1].count).map(([k, c]) => [k, String(c.count), perMsg(c.count), perMsg(c.ms), (c.ms / c.count).toFixed(3), ...(mode === 'embedded' ? [(c.prepareMs / c.count).toFixed(3)] : [])])),
      '',
      'Most frequent statement templates:',
      table(['per msg', 'ms each', 'template'], sql.templates.slice(0, 25).map((t) => [perMsg(t.count), (t.ms / t.count).toFixed(3), t.sql.length > 220 ? `${t.sql.slice(0, 220)}…` : t.sql])),
      ...(pgBefore && pgAfter
        ? ['', `pg_stat_database over the window (+ ${PG_STATS_FLUSH_MS / 1000} s idle): ${Object.keys(pgAfter).map((k) => `${k} ${perMsg(pgAfter[k]! - pgBefore[k]!)}/msg`).join(', ')}`]
        : []),
      '',
      'CPU self time by module (busy time only):',
      table(['module', 'ms', '%'], cpu.byModule.map((m) => [m.module, m.ms.toFixed(0), m.share.toFixed(1)])),
      '',
      'Top functions by self time:',
      table(['function', 'module', 'ms', '%'], cpu.topSelf.map((f) => [f.fn.slice(0, 110), f.module, f.ms.toFixed(0), f.share.toFixed(1)])),
      '',
      'Repository functions by inclusive time (synchronous part):',
      table(['function', 'ms', '%'], cpu.topInclusive.map((f) => [f.fn.slice(0, 110), f.ms.toFixed(0), f.share.toFixed(1)])),
    ];
    await writeFile(join(RESULTS, `profile-${mode}.json`), `${JSON.stringify({ mode, messages: n, concurrency, durationMs: load.durationMs, latency, hubCpuMs: cpuMs, memory, sql, pg: pgBefore && pgAfter ? { before: pgBefore, after: pgAfter } : undefined, cpu }, null, 2)}\n`);
    return lines.join('\n');
  } finally {
    await hub?.stop();
    await prepared.cleanup();
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig([]);
  await mkdir(RESULTS, { recursive: true });
  const client = new HttpClient(concurrency + 16);
  const receiver = new OutboundReceiver();
  await receiver.start();
  const agent = spawnNode([...SOURCE_LOADER, 'bench/src/entries/agent-main.ts'], {});
  try {
    const agentUrl = await waitForReady(agent);
    for (const mode of config.modes) {
      console.log(`\n${await profileMode(mode, client, receiver, agentUrl)}`);
    }
    console.log(`\nProfiles kept in ${join(RESULTS, 'profile')} (window-0.cpuprofile per mode), summaries in ${RESULTS}/profile-<mode>.json`);
  } finally {
    await agent.stop();
    await receiver.close();
    client.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
