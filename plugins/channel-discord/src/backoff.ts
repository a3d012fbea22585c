/**
 * The delay before reconnect attempt `attempt` (1-based): the base delay doubled per attempt, capped
 * at `maxDelayMs`, then "equal jitter" (half fixed, half random) so many bots do not reconnect in step.
 */
export function reconnectDelay(attempt: number, options: { baseDelayMs: number; maxDelayMs: number }, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
