import type { Logger } from '@omni/plugin-sdk';
import { stage, type MessageEventStore } from './message-event-store.js';
import type { MessageRouter } from './message-router.js';

/**
 * After a restart, routes the inbound messages that were stored but never finished (the process
 * died between receiving and replying). Messages older than `maxAgeMs` are not answered any more
 * — a reply hours late is worse than none — and are marked skipped, with the reason.
 */
export async function recoverPendingMessages(deps: { store: MessageEventStore; router: MessageRouter; logger: Logger; maxAgeMs: number }): Promise<{ routed: number; expired: number }> {
  const pending = await deps.store.pendingInbound(deps.router.leaseMs);
  const cutoff = Date.now() - deps.maxAgeMs;
  let routed = 0;
  let expired = 0;
  for (const event of pending) {
    if (event.createdAt.getTime() < cutoff) {
      await deps.store.finish(event.id, { status: 'skipped', stages: [...event.stages, stage('skipped', { detail: 'not answered: too old when the hub restarted' })] });
      expired++;
    } else {
      await deps.router.route(event.id);
      routed++;
    }
  }
  if (routed + expired > 0) deps.logger.info({ routed, expired }, 'recovered unfinished inbound messages');
  return { routed, expired };
}

/** Runs recovery now and then every `intervalMs`, so a crashed peer's messages are taken over too. */
export function startRecoverySweep(deps: Parameters<typeof recoverPendingMessages>[0], intervalMs: number): { stop(): void; first: Promise<unknown> } {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => (running = running.then(() => recoverPendingMessages(deps)).catch((err: unknown) => deps.logger.error({ err }, 'recovery sweep failed')));
  const first = sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return { first, stop: () => clearInterval(timer) };
}
