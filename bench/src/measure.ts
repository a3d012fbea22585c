/** The measurements: idle baselines, the ceiling (relay) and the hub in one mode, each through every concurrency level. */
import type { BenchConfig, Mode } from './config.js';
import { runLoad } from './driver.js';
import { createBenchInstance, startHub, type Hub } from './hub.js';
import { prepareModeEnv } from './mode-env.js';
import { SOURCE_LOADER, sleep, spawnNode, waitForReady } from './processes.js';
import type { ModeResult } from './results.js';
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

/**
 * Every level for the hub, each right after the same level through the relay: the pair runs back
 * to back, so a change in other load on the machine moves both, not just one side of the ratio.
 */
async function measurePairedLevels(ctx: RunContext, hub: SystemUnderTest, relay: SystemUnderTest, config: BenchConfig, mode: Mode): Promise<{ levels: LevelResult[]; ceilingLevels: LevelResult[] }> {
  const levels: LevelResult[] = [];
  const ceilingLevels: LevelResult[] = [];
  for (const concurrency of config.concurrency) {
    const options = { concurrency, messages: config.messages, warmup: Math.min(200, config.warmup) };
    const ceiling = await runLevel(ctx, relay, { ...options, name: `ceiling-${mode}-c${concurrency}` });
    progress(`ceiling ${describeLevel(ceiling)}`);
    ceilingLevels.push(ceiling);
    const level = await runLevel(ctx, hub, { ...options, name: `${mode}-c${concurrency}` });
    progress(`${mode} ${describeLevel(level)} (${(level.msgPerSec / ceiling.msgPerSec).toFixed(2)} x ceiling)`);
    levels.push(level);
  }
  return { levels, ceilingLevels };
}

/** Sends the warm-up through a throw-away target (not counted). */
async function warmUp(ctx: RunContext, sut: SystemUnderTest, config: BenchConfig, label: string): Promise<void> {
  if (config.warmup === 0) return;
  const target = await sut.newTarget(`${label}-warmup-${ctx.runId}`);
  const warm = await runLoad({ target, client: ctx.client, receiver: ctx.receiver, messages: config.warmup, concurrency: Math.max(...config.concurrency), label: `${ctx.runId}-${label}-warmup`, replyTimeoutMs: ctx.replyTimeoutMs });
  if (warm.delivered.length === 0) throw new Error(`${label} warm-up got no reply: ${warm.firstError ?? 'unknown error'}`);
  progress(`${label} warm-up: ${warm.delivered.length}/${config.warmup} replied`);
}

/** The ceiling: the bare Koa relay in its own process, warmed up, kept running for every mode's paired levels. */
export interface Ceiling {
  sut: SystemUnderTest;
  idleRssMb: number;
  stop(): Promise<void>;
}

export async function startCeiling(ctx: RunContext, config: BenchConfig, agentUrl: string): Promise<Ceiling> {
  const relay = spawnNode([...SOURCE_LOADER, 'bench/src/entries/relay-main.ts'], { AGENT_URL: agentUrl, OUTBOUND_URL: `${ctx.receiver.url}/out`, RELAY_SECRET });
  const stop = async () => void (await relay.stop());
  try {
    const url = await waitForReady(relay);
    const sut: SystemUnderTest = { pid: relay.pid, newTarget: async (name) => ({ baseUrl: url, instanceId: name, secret: RELAY_SECRET }) };
    await warmUp(ctx, sut, config, 'ceiling');
    await sleep(SETTLE_MS);
    const idle = await idleRssMb(relay.pid);
    progress(`ceiling idle RSS ${idle.median} MB after warm-up`);
    return { sut, idleRssMb: idle.median, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A hub in its own process for one mode: idle RSS, every level, the burst (embedded), RSS after the load. */
export async function measureMode(ctx: RunContext, config: BenchConfig, mode: Mode, agentUrl: string, ceiling: Ceiling): Promise<ModeResult | { skipped: string }> {
  const prepared = await prepareModeEnv(mode, config);
  if ('skipped' in prepared) return prepared;
  let hub: Hub | undefined;
  try {
    hub = await startHub(ctx.client, { env: prepared.env, nodeArgs: config.hubNodeArgs });
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
    const { levels, ceilingLevels } = await measurePairedLevels(ctx, sut, ceiling.sut, config, mode);
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
      ceiling: { idleRssMb: ceiling.idleRssMb, levels: ceilingLevels },
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

