/** Reconnect delays: exponential from `baseMs`, capped at `maxMs`, with full jitter. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/** The delay before reconnect attempt `attempt` (1-based). */
export const backoffDelay = (attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random) =>
  Math.round(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1)));
