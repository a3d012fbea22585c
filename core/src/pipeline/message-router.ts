import type { EventBus, EventEnvelope, Hooks, InboundHookContext, InboundMessage, Logger, Subscription } from '@omni/plugin-sdk';
import { attachIdentities } from '../access/known-identities.js';
import type { InstanceRepository } from '../db/repositories/instance-repository.js';
import { messagingOf } from '../instances/instance-config.js';
import type { PendingTurn } from './agent-request.js';
import { DebounceBuffer } from './debounce-buffer.js';
import { stage, type MessageEventStore } from './message-event-store.js';
import type { SenderResolver } from './sender-resolver.js';
import type { TurnProcessor } from './turn-processor.js';

export interface MessageRouterOptions {
  bus: EventBus;
  store: MessageEventStore;
  instances: InstanceRepository;
  identity: SenderResolver;
  hooks: Hooks;
  turns: TurnProcessor;
  logger: Logger;
  /** How long a worker owns an event without renewing it before another may take over (default 30 s). */
  leaseMs?: number;
  /**
   * Subscriptions sharing the durable consumer, i.e. inbound events routed at once (default 8).
   * Events of one chat are still routed one after another, in delivery order.
   */
  concurrency?: number;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Routes every inbound message: claim it, tie the sender to a person, run the `message.inbound`
 * and `message.access` hooks, then debounce per instance and chat and hand bursts to the turn
 * processor. It consumes `message.received` as the durable consumer `omni-router`, so with NATS
 * the work is shared between processes; the stored event's status makes redelivery harmless.
 * Several subscriptions share that consumer, so one chat's routing (claim, identity, hooks: a
 * few database round trips) does not hold up the others; a chat's own events keep their order.
 */
export class MessageRouter {
  private subscriptions: Subscription[] = [];
  /** Per chat, the end of its routing chain (removed once idle). */
  private readonly chats = new Map<string, Promise<void>>();
  private readonly buffer: DebounceBuffer<PendingTurn>;
  readonly leaseMs: number;
  /** Events this worker holds (buffered or being processed); their leases are renewed. */
  private readonly held = new Set<string>();
  private renewTimer?: NodeJS.Timeout;

  constructor(private readonly o: MessageRouterOptions) {
    this.leaseMs = o.leaseMs ?? 30_000;
    this.buffer = new DebounceBuffer<PendingTurn>(
      async (_key, turns, waitedMs) => {
        try {
          await o.turns.process(turns, waitedMs);
        } finally {
          for (const t of turns) this.held.delete(t.eventId);
        }
      },
      (err, key) => o.logger.error({ err, key }, 'processing a burst failed'),
    );
  }

  async start(): Promise<void> {
    this.renewTimer = setInterval(() => {
      this.o.store.renewLeases([...this.held], this.leaseMs).catch((err: unknown) => this.o.logger.warn({ err }, 'could not renew leases'));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
    for (let i = 0; i < Math.max(1, this.o.concurrency ?? 8); i++) {
      this.subscriptions.push(await this.o.bus.subscribe('message.received', (event) => this.routeInChatOrder(event), { durable: 'omni-router' }));
    }
  }

  /** Stops taking events and finishes the bursts already buffered. */
  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.unsubscribe()));
    await this.buffer.drain();
    clearInterval(this.renewTimer);
  }

  /** Routes after the chat's earlier events (a failure rejects, so the bus delivers the event again). */
  private routeInChatOrder(event: EventEnvelope<'message.received'>): Promise<void> {
    const key = `${event.metadata.instanceId ?? ''}:${event.payload?.message?.chatId ?? event.id}`;
    const routed = (this.chats.get(key) ?? Promise.resolve()).then(() => this.route(event.id));
    const tail = routed.catch(() => undefined);
    this.chats.set(key, tail);
    void tail.then(() => {
      if (this.chats.get(key) === tail) this.chats.delete(key);
    });
    return routed;
  }

  /** Routes one stored inbound event; a no-op when it is finished or owned by another worker. */
  async route(eventId: string): Promise<void> {
    const { store } = this.o;
    const event = await store.claim(eventId, this.leaseMs);
    if (!event) return;
    try {
      const instance = await this.o.instances.get(event.instanceId);
      if (!instance) return await store.finish(eventId, { status: 'skipped', stages: [...event.stages, stage('skipped', { detail: 'instance deleted' })] });
      const started = performance.now();
      const original = event.payload as unknown as InboundMessage;
      const { personId, identities } = await this.o.identity.resolveSender({ channel: event.channel, instanceId: event.instanceId, sender: original.sender });
      const context: InboundHookContext = { instanceId: event.instanceId, channel: event.channel, eventId, traceId: event.traceId, personId };
      if (identities) attachIdentities(context, personId, identities);
      const { message } = await this.o.hooks.callWaterfall('message.inbound', { message: original, context });
      const verdict = (await this.o.hooks.callBail('message.access', { message, context })) ?? { allowed: true, reason: 'no rule matched: allowed by default' };
      const access = stage('access', { ms: Math.round(performance.now() - started), detail: verdict.reason });
      if (!verdict.allowed) {
        await store.finish(eventId, { personId, status: 'blocked', stages: [...event.stages, access, stage('blocked', { detail: verdict.reason })] });
        return;
      }
      const m = messagingOf(instance.messaging);
      this.held.add(eventId);
      this.buffer.add(
        `${event.instanceId}:${message.chatId}`,
        { eventId, instanceId: event.instanceId, traceId: event.traceId, receivedAt: event.createdAt, message, personId, stages: [...event.stages, access] },
        { mode: m.debounceMode, ms: m.debounceMs, minMs: m.debounceMinMs, maxMs: m.debounceMaxMs, maxWaitMs: m.debounceMaxWaitMs },
      );
    } catch (err) {
      this.o.logger.error({ err, eventId }, 'routing failed');
      await store.finish(eventId, { status: 'failed', errorStage: 'routing', errorMessage: errorText(err), stages: [...event.stages, stage('failed', { detail: errorText(err) })] });
    }
  }
}
