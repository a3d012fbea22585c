import type { ConnectionStatus } from './channel.js';

/**
 * How the random part spreads a step (see "Exponential Backoff And Jitter", AWS Architecture Blog):
 * - `equal`: between half and all of the step, so every wait is at least half the step;
 * - `full`: between zero and the step, the widest spread;
 * - `none`: exactly the step.
 */
export type BackoffJitter = 'equal' | 'full' | 'none';

export interface BackoffOptions {
  /** The step of the first attempt, in ms. */
  initialMs: number;
  /** The ceiling of the step, in ms. */
  maxMs: number;
  /** The step is multiplied by this per attempt; default 2. */
  factor?: number;
  /** Default `equal`. */
  jitter?: BackoffJitter;
}

/**
 * The delay in ms before reconnect attempt `attempt` (1-based): `initialMs` multiplied by `factor`
 * per attempt, capped at `maxMs`, then spread by the jitter so instances that lost the platform
 * together do not come back in lockstep. `random` (0 to 1) is injectable for tests.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.initialMs * (options.factor ?? 2) ** Math.max(0, attempt - 1));
  switch (options.jitter ?? 'equal') {
    case 'full':
      return Math.round(random() * step);
    case 'none':
      return Math.round(step);
    case 'equal':
      return Math.round(step / 2 + random() * (step / 2));
  }
}

/**
 * The status a channel reports while it waits `delayMs` before reconnect attempt `attempt`:
 * `reconnecting` with `reconnect: { attempt, nextAttemptAt }` and the reason as a retryable error.
 */
export function reconnectingStatus(
  attempt: number,
  delayMs: number,
  reason: { code: string; message: string },
  now: number = Date.now(),
): Omit<ConnectionStatus, 'since'> {
  return {
    state: 'reconnecting',
    reconnect: { attempt, nextAttemptAt: new Date(now + delayMs).toISOString() },
    error: { code: reason.code, message: reason.message, retryable: true },
  };
}
