export const MODES = ['embedded', 'services'] as const;
export type Mode = (typeof MODES)[number];

export interface BenchConfig {
  /** Measured messages per concurrency level. */
  messages: number;
  concurrency: number[];
  /** Messages sent before measuring (not counted): once per hub (and relay) before idle RSS, and per level (at most 200). */
  warmup: number;
  /** Messages of the embedded-mode burst (at the highest concurrency); 0 skips it. */
  burst: number;
  modes: Mode[];
  /** How long a message may wait for its reply before it counts as lost. */
  replyTimeoutMs: number;
  databaseUrl: string;
  natsUrl: string;
  /** Where the JSON results go. */
  output: string;
  /** Extra node flags for the hub process (BENCH_HUB_NODE_ARGS, space-separated), e.g. V8 heap settings. */
  hubNodeArgs: string[];
}

const USAGE = `npm run bench [-- --messages=N --concurrency=1,20,50 --burst=N --modes=embedded,services --warmup=N]
Environment: BENCH_MESSAGES, BENCH_CONCURRENCY, BENCH_BURST, BENCH_MODES, BENCH_WARMUP, BENCH_REPLY_TIMEOUT_MS, BENCH_OUTPUT, BENCH_HUB_NODE_ARGS,
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), NATS_URL (default nats://127.0.0.1:4222).`;

/** Flags (`--messages=500`) win over environment variables, which win over defaults. */
export function loadBenchConfig(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unknown argument '${arg}'\n${USAGE}`);
    flags.set(match[1]!, match[2]!);
  }
  const pick = (flag: string, variable: string) => flags.get(flag) ?? env[variable];
  const int = (flag: string, variable: string, fallback: number, min: number) => {
    const raw = pick(flag, variable);
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${variable} (--${flag}) must be an integer >= ${min}, got '${raw}'`);
    return value;
  };
  const list = (flag: string, variable: string, fallback: string) => (pick(flag, variable) || fallback).split(',').map((s) => s.trim()).filter(Boolean);

  const concurrency = list('concurrency', 'BENCH_CONCURRENCY', '1,20,50').map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`BENCH_CONCURRENCY: '${c}' is not an integer from 1 to 1000`);
    return n;
  });
  const modes = list('modes', 'BENCH_MODES', MODES.join(',')).map((m) => {
    if (!(MODES as readonly string[]).includes(m)) throw new Error(`BENCH_MODES: '${m}' is not one of ${MODES.join(', ')}`);
    return m as Mode;
  });
  return {
    messages: int('messages', 'BENCH_MESSAGES', 1_000, 1),
    concurrency,
    warmup: int('warmup', 'BENCH_WARMUP', 1_000, 0),
    burst: int('burst', 'BENCH_BURST', 10_000, 0),
    modes,
    replyTimeoutMs: int('reply-timeout-ms', 'BENCH_REPLY_TIMEOUT_MS', 30_000, 100),
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    natsUrl: env.NATS_URL || 'nats://127.0.0.1:4222',
    output: pick('output', 'BENCH_OUTPUT') || new URL('../results/latest.json', import.meta.url).pathname,
    hubNodeArgs: (env.BENCH_HUB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  };
}
