import { cpuTimeMs, machineBusyMs } from './cpu.js';
import { checkBacklog, type BacklogReport } from './backlog.js';
import { runLoad, type InboundTarget } from './driver.js';
import type { HttpClient } from './http-client.js';
import type { OutboundReceiver } from './receiver.js';
import { sampleRss } from './rss.js';
import { perSecond, summarize, type LatencySummary } from './stats.js';

/** The process under load: the hub, or the relay. */
export interface SystemUnderTest {
  pid: number;
  /** A fresh inbound target (a hub instance; for the relay, just an id). */
  newTarget(name: string): Promise<InboundTarget>;
  /** Set for the hub: the persistence backlog is checked through its events API. */
  hubUrl?: string;
}

export interface RunContext {
  client: HttpClient;
  receiver: OutboundReceiver;
  replyTimeoutMs: number;
  /** Unique per bench run, so texts never collide. */
  runId: string;
  /** The echo agent's process, to tell the bench's own CPU use from other load on the machine. */
  agentPid: number;
}

export interface LevelResult {
  concurrency: number;
  messages: number;
  replied: number;
  rejected: number;
  lost: number;
  firstError?: string;
  durationMs: number;
  msgPerSec: number;
  latencyMs: LatencySummary;
  /** RSS of the process under load, sampled every 100 ms during the run. */
  rssPeakMb: number;
  /** CPU time the process under load used per message (all its threads), in ms. */
  cpuMsPerMessage: number;
  /** Its CPU time over the run's wall time: 1.0 is one core kept busy. */
  cpuCores: number;
  /**
   * Cores kept busy meanwhile by everything but the process under load, the driver and the echo
   * agent: PostgreSQL and NATS in services mode, and whatever else runs on the machine (noise).
   */
  otherCores: number;
  backlog?: BacklogReport;
}

/** Warms a fresh target up at this concurrency (not counted), then measures `messages` messages. */
export async function runLevel(ctx: RunContext, sut: SystemUnderTest, o: { name: string; concurrency: number; messages: number; warmup: number }): Promise<LevelResult> {
  const target = await sut.newTarget(`${o.name}-${ctx.runId}`);
  const base = { target, client: ctx.client, receiver: ctx.receiver, concurrency: o.concurrency, replyTimeoutMs: ctx.replyTimeoutMs };
  if (o.warmup > 0) {
    const warm = await runLoad({ ...base, messages: o.warmup, label: `${ctx.runId}-${o.name}-warm` });
    if (warm.delivered.length === 0) throw new Error(`warm-up of ${o.name} got no reply: ${warm.firstError ?? 'unknown error'}`);
  }
  const rss = sampleRss(sut.pid);
  const ours = () => cpuTimeMs(sut.pid) + cpuTimeMs(ctx.agentPid) + cpuTimeMs(process.pid);
  const cpuBefore = cpuTimeMs(sut.pid);
  const oursBefore = ours();
  const machineBefore = machineBusyMs();
  const load = await runLoad({ ...base, messages: o.messages, label: `${ctx.runId}-${o.name}` });
  const cpuMs = cpuTimeMs(sut.pid) - cpuBefore;
  const otherMs = machineBusyMs() - machineBefore - (ours() - oursBefore);
  const { peakMb } = rss.stop();
  const backlog = sut.hubUrl ? await checkBacklog(ctx.client, sut.hubUrl, target.instanceId, load.delivered, load.lastReplyAt) : undefined;
  return {
    concurrency: o.concurrency,
    messages: o.messages,
    replied: load.delivered.length,
    rejected: load.rejected,
    lost: load.lost,
    ...(load.firstError ? { firstError: load.firstError } : {}),
    durationMs: Math.round(load.durationMs),
    msgPerSec: perSecond(load.delivered.length, load.durationMs),
    latencyMs: summarize(load.delivered.map((d) => d.latencyMs)),
    rssPeakMb: peakMb,
    cpuMsPerMessage: cpuMs / Math.max(1, load.delivered.length),
    cpuCores: cpuMs / load.durationMs,
    otherCores: Math.max(0, otherMs / load.durationMs),
    ...(backlog ? { backlog } : {}),
  };
}

/** One line of progress on stderr, so stdout stays the report. */
export const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

export const describeLevel = (r: LevelResult) =>
  `c=${r.concurrency}: ${r.replied}/${r.messages} replied, ${r.msgPerSec.toFixed(0)} msg/s, p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms, RSS peak ${r.rssPeakMb} MB, CPU ${r.cpuMsPerMessage.toFixed(2)} ms/msg (${r.cpuCores.toFixed(2)} cores; others ${r.otherCores.toFixed(2)} cores)` +
  (r.backlog ? `, not final after last reply: ${r.backlog.notFinal}` : '') +
  (r.firstError ? ` (first error: ${r.firstError})` : '');
