import type { Logger } from '@omni/plugin-sdk';
import type { EventQueryRepository } from './event-query-repository.js';

const HOUR = 3_600_000;

/**
 * Drops message payloads older than the retention period (the events themselves and their
 * traces stay). Runs at start and then every few hours; 0 days keeps payloads forever.
 */
export function startPayloadRetention(deps: { events: EventQueryRepository; days: number; logger: Logger; intervalMs?: number }): { stop(): void } {
  if (deps.days <= 0) return { stop: () => undefined };
  const purge = () =>
    deps.events
      .purgePayloads(deps.days)
      .then((purged) => purged > 0 && deps.logger.info({ purged, days: deps.days }, 'purged old message payloads'))
      .catch((err: unknown) => deps.logger.error({ err }, 'payload retention failed'));
  void purge();
  const timer = setInterval(purge, deps.intervalMs ?? 6 * HOUR);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
