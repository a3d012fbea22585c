import type { BenchConfig, Mode } from './config.js';
import type { LevelResult } from './scenario.js';

/** The peer hub's figures, measured on the same kind of 2-core machine (from the issue). */
export const PEER = { msgPerSecAt20: 200, p99At20Ms: 150, idleRssMb: 153, backlogAfter10kS: 100 } as const;

/**
 * Omni's targets (from the issue). "No persistence backlog" is read as: every inbound row is stored
 * when its reply arrives (the ingress stores before it acknowledges) and is final (`sent`) at most
 * `maxFinalLagMs` after it: the status can only change once the receiver has answered the POST.
 */
export const TARGETS = { timesPeer: 10, ceilingRatio: 0.5, p99At20Ms: 20, idleRssMb: 80, maxFinalLagMs: 1_000 } as const;

export interface IdleRss {
  /** Median of a few readings right after start (nothing processed yet). */
  atStartMb: number;
  /** Median of a few readings after the warm-up, settled: the figure the target is about. */
  afterWarmupMb: number;
  samples: number[];
  /** After every level (and the burst) and a short settle. */
  afterLoadMb: number;
}

export interface ModeResult {
  mode: Mode;
  description: string;
  idleRss: IdleRss;
  levels: LevelResult[];
  /** The relay through the same levels, each run right before the hub's level at the same concurrency. */
  ceiling: CeilingResult;
  burst?: LevelResult;
  /** Warning and error lines the hub logged during the whole mode (LOG_LEVEL=warn). */
  hubWarnings: number;
  hubWarningSamples: string[];
}

export interface CeilingResult {
  idleRssMb: number;
  levels: LevelResult[];
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  command: string;
  git: { commit: string; changed: string[] };
  machine: { cpus: number; cpuModel: string; node: string; platform: string; totalMemoryMb: number };
  config: Omit<BenchConfig, 'databaseUrl'> & { databaseUrl: string };
  /** Idle RSS of bare node, of node with the source loader, and of node with the stack's libraries loaded (stack-floor-main.mjs). */
  baselines: { nodeIdleMb: number; nodeWithSourceLoaderIdleMb: number; stackFloorIdleMb: number };
  /** The relay's idle RSS after its warm-up; its levels are in each mode (paired with the hub's). */
  ceiling: { idleRssMb: number };
  modes: Partial<Record<Mode, ModeResult | { skipped: string } | { error: string }>>;
}

export const isModeResult = (m: BenchResults['modes'][Mode]): m is ModeResult => m !== undefined && 'levels' in m;

/** Throughput of a level over the ceiling's at the same concurrency. */
export function ceilingRatio(level: LevelResult, ceiling: CeilingResult): number {
  const top = ceiling.levels.find((c) => c.concurrency === level.concurrency);
  return top ? level.msgPerSec / top.msgPerSec : Number.NaN;
}
