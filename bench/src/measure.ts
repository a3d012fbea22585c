/** The measurements: idle baselines, the ceiling (relay) and the hub in one mode, each through every concurrency level. */
import type { BenchConfig, Mode } from './config.js';
import { runLoad } from './driver.js';
import { createBenchInstance, startHub, type Hub } from './hub.js';
import { prepareModeEnv } from './mode-env.js';
import { SOURCE_LOADER, sleep, spawnNode, waitForReady } from './processes.js';
import type { CeilingResult, ModeResult } from './results.js';
import { idleRssMb } from './rss.js';
import { describeLevel, progress, runLevel, type LevelResult, type RunContext, type SystemUnderTest } from './scenario.js';

const RELAY_SECRET = 'relay-secret-0123456789';
const SETTLE_MS = 3_000;

/** RSS of a process that does nothing (`nodeArgs` decide what it loads). */
export async function idleBaseline(nodeArgs: string[]): Promise<number> {
  const proc = spawnNode(nodeArgs, {});
  try {
    await waitForReady(proc);
    await sleep(1_000);
    return (await idleRssMb(proc.pid)).median;
  } finally {
    await proc.stop();
  }
}

async function measureLevels(ctx: RunContext, sut: SystemUnderTest, config: BenchConfig, label: string): Promise<LevelResult[]> {
  const levels: LevelResult[] = [];
  for (const concurrency of config.concurrency) {
    const level = await runLevel(ctx, sut, { name: `${label}-c${concurrency}`, concurrency, messages: config.messages, warmup: Math.min(200, config.warmup) });
    progress(`${label} ${describeLevel(level)}`);
    levels.push(level);
  }
  return levels;
}

/** Sends the warm-up through a throw-away target (not counted). */
async function warmUp(ctx: RunContext, sut: SystemUnderTest, config: BenchConfig, label: string): Promise<void> {
  if (config.warmup === 0) return;
  const target = await sut.newTarget(`${label}-warmup-${ctx.runId}`);
  const warm = await runLoad({ target, client: ctx.client, receiver: ctx.receiver, messages: config.warmup, concurrency: Math.max(...config.concurrency), label: `${ctx.runId}-${label}-warmup`, replyTimeoutMs: ctx.replyTimeoutMs });
  if (warm.delivered.length === 0) throw new Error(`${label} warm-up got no reply: ${warm.firstError ?? 'unknown error'}`);
  progress(`${label} warm-up: ${warm.delivered.length}/${config.warmup} replied`);
}

/** The bare Koa relay in its own process, warmed up, through every level. */
export async function measureCeiling(ctx: RunContext, config: BenchConfig, agentUrl: string): Promise<CeilingResult> {
  const relay = spawnNode([...SOURCE_LOADER, 'bench/src/entries/relay-main.ts'], { AGENT_URL: agentUrl, OUTBOUND_URL: `${ctx.receiver.url}/out`, RELAY_SECRET });
  try {
    const url = await waitForReady(relay);
    const sut: SystemUnderTest = { pid: relay.pid, newTarget: async (name) => ({ baseUrl: url, instanceId: name, secret: RELAY_SECRET }) };
    await warmUp(ctx, sut, config, 'ceiling');
    await sleep(SETTLE_MS);
    const idle = await idleRssMb(relay.pid);
    return { idleRssMb: idle.median, levels: await measureLevels(ctx, sut, config, 'ceiling') };
  } finally {
    await relay.stop();
  }
}

/** A hub in its own process for one mode: idle RSS, every level, the burst (embedded), RSS after the load. */
export async function measureMode(ctx: RunContext, config: BenchConfig, mode: Mode, agentUrl: string): Promise<ModeResult | { skipped: string }> {
  const prepared = await prepareModeEnv(mode, config);
  if ('skipped' in prepared) return prepared;
  let hub: Hub | undefined;
  try {
    hub = await startHub(ctx.client, { env: prepared.env });
    const started = hub;
    await sleep(1_000);
    const atStart = await idleRssMb(started.process.pid);
    const sut: SystemUnderTest = {
      pid: started.process.pid,
      hubUrl: started.url,
      newTarget: (name) => createBenchInstance(ctx.client, started.url, { agentUrl, outboundUrl: `${ctx.receiver.url}/out`, name }),
    };
    await warmUp(ctx, sut, config, mode);
    await sleep(SETTLE_MS);
    const idle = await idleRssMb(started.process.pid);
    progress(`${mode} idle RSS ${atStart.median} MB at start, ${idle.median} MB after warm-up`);
    const levels = await measureLevels(ctx, sut, config, mode);
    let burst: LevelResult | undefined;
    if (mode === 'embedded' && config.burst > 0) {
      burst = await runLevel(ctx, sut, { name: `${mode}-burst`, concurrency: Math.max(...config.concurrency), messages: config.burst, warmup: 0 });
      progress(`${mode} burst ${describeLevel(burst)}; all rows final ${burst.backlog?.settledAfterMs} ms after the last reply`);
    }
    await sleep(SETTLE_MS);
    const afterLoad = await idleRssMb(started.process.pid);
    const warnings = started.logLines();
    return {
      mode,
      description: prepared.description,
      idleRss: { atStartMb: atStart.median, afterWarmupMb: idle.median, samples: idle.samples, afterLoadMb: afterLoad.median },
      levels,
      ...(burst ? { burst } : {}),
      hubWarnings: warnings.length,
      hubWarningSamples: warnings.slice(0, 5).map((l) => l.slice(0, 300)),
    };
  } finally {
    const code = await hub?.stop();
    if (hub && code !== 0) progress(`${mode} hub exited with ${code}; stderr: ${hub.process.stderr().slice(-2_000)}`);
    await prepared.cleanup();
  }
}

