export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential growth capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half random) so many instances that lost
 * the network together do not come back in lockstep, yet each waits at least half the step.
 */
export function reconnectDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
