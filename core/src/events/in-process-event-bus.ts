import {
  eventFilterSubject,
  eventSubject,
  type EventEnvelope,
  type EventFilter,
  type EventHandler,
  type EventType,
  type Logger,
  type OmniEventMap,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
} from '@omni/plugin-sdk';
import { createEnvelope, encodeEnvelope } from './envelope.js';
import { InProcessConsumer } from './in-process-consumer.js';
import { InProcessEventLog } from './in-process-event-log.js';
import type { AnyEventHandler, EventBusHealth, ManagedEventBus } from './managed-event-bus.js';
import { DUPLICATE_WINDOW_MS, RecentIds } from './recent-ids.js';
import { DRAIN_WAIT_EXCEEDED, UNSUBSCRIBE_WAIT_EXCEEDED } from './drain-messages.js';
import { settledWithin } from './settled-within.js';
import { resolveSubscribeSettings } from './subscribe-settings.js';

export interface InProcessEventBusOptions {
  logger: Logger;
  /** Events kept for durable subscribers that are behind or not subscribed yet (default 10 000). */
  retainedEvents?: number;
  /** How long `close()` and `unsubscribe()` wait for running handlers (default 10 s). */
  drainTimeoutMs?: number;
}

/**
 * The event bus within one process, used when no NATS server is configured. It mirrors the
 * JetStream bus within the process lifetime:
 * - events are retained (bounded) like a stream; a new durable subscriber starts from the oldest
 *   retained event, a non-durable one sees only events published after it subscribed;
 * - durable subscribers sharing a name share the events, round-robin; each event handled once;
 * - a throwing handler gets the event again after `retryDelayMs`, up to `maxDeliver` attempts;
 * - each event is decoded from JSON for each delivery, so payloads behave as they do over NATS;
 * - publications repeating an `id` within the duplicate window are dropped.
 * `ackWaitMs` has no effect: a handler cannot die without the process dying.
 */
export class InProcessEventBus implements ManagedEventBus {
  readonly #logger: Logger;
  readonly #drainTimeoutMs: number;
  readonly #log: InProcessEventLog;
  readonly #recentIds: RecentIds;
  readonly #consumers = new Set<InProcessConsumer>();
  readonly #durables = new Map<string, InProcessConsumer>();
  /** Handlers still running for subscriptions already ended. */
  readonly #stopping = new Set<Promise<void>>();
  #closing: Promise<void> | undefined;
  #ephemeralCount = 0;

  constructor(options: InProcessEventBusOptions) {
    const retainedEvents = options.retainedEvents ?? 10_000;
    this.#logger = options.logger.child({ component: 'event-bus', bus: 'in-process' });
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.#log = new InProcessEventLog(retainedEvents);
    this.#recentIds = new RecentIds(DUPLICATE_WINDOW_MS, retainedEvents);
  }

  async publish<T extends EventType>(type: T, payload: OmniEventMap[T], options?: PublishOptions): Promise<EventEnvelope<T>> {
    this.#assertOpen();
    const envelope = createEnvelope(type, payload, options);
    if (!this.#recentIds.add(envelope.id)) {
      this.#logger.debug({ eventId: envelope.id, type }, 'Duplicate publication dropped');
      return envelope;
    }
    const dropped = this.#log.append({
      subject: eventSubject(type, envelope.metadata.channel, envelope.metadata.instanceId),
      id: envelope.id,
      type,
      encoded: encodeEnvelope(envelope),
    });
    for (const consumer of this.#consumers) {
      if (dropped) consumer.onDropped(dropped);
      consumer.notify();
    }
    return envelope;
  }

  subscribe<T extends EventType>(filter: T, handler: EventHandler<T>, options?: SubscribeOptions): Promise<Subscription>;
  subscribe(filter: EventFilter, handler: AnyEventHandler, options?: SubscribeOptions): Promise<Subscription>;
  async subscribe(filter: EventFilter, handler: AnyEventHandler, options?: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    const settings = resolveSubscribeSettings(options);
    const filterSubject = eventFilterSubject(filter);
    const consumer = settings.durable ? this.#durableConsumer(settings.durable, filterSubject) : this.#ephemeralConsumer(filterSubject);
    const member = consumer.addMember(handler, settings);
    return {
      unsubscribe: async () => {
        if (!settings.durable) this.#consumers.delete(consumer);
        const stopped = consumer.removeMember(member);
        this.#stopping.add(stopped);
        void stopped.finally(() => this.#stopping.delete(stopped));
        await this.#waitFor([stopped], UNSUBSCRIBE_WAIT_EXCEEDED);
      },
    };
  }

  async health(): Promise<EventBusHealth> {
    if (this.#closing) return { ok: false, detail: 'closed' };
    return { ok: true, detail: `in-process: ${this.#consumers.size} consumers, ${this.#log.size} retained events` };
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  #durableConsumer(name: string, filterSubject: string): InProcessConsumer {
    const existing = this.#durables.get(name);
    if (existing) {
      if (existing.filterSubject !== filterSubject) {
        throw new Error(`Durable "${name}" is subscribed to "${existing.filterSubject}", not "${filterSubject}"; use another durable name`);
      }
      return existing;
    }
    const consumer = new InProcessConsumer(name, filterSubject, this.#log, this.#log.firstSeq, this.#logger);
    this.#durables.set(name, consumer);
    this.#consumers.add(consumer);
    return consumer;
  }

  #ephemeralConsumer(filterSubject: string): InProcessConsumer {
    const consumer = new InProcessConsumer(`ephemeral-${++this.#ephemeralCount}`, filterSubject, this.#log, this.#log.nextSeq, this.#logger);
    this.#consumers.add(consumer);
    return consumer;
  }

  async #drain(): Promise<void> {
    await this.#waitFor([...this.#stopping, ...[...this.#consumers].flatMap((consumer) => consumer.removeAllMembers())]);
  }

  async #waitFor(running: Promise<void>[], exceeded = DRAIN_WAIT_EXCEEDED): Promise<void> {
    if (!(await settledWithin(running, this.#drainTimeoutMs))) this.#logger.warn({ timeoutMs: this.#drainTimeoutMs }, exceeded);
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('Event bus is closed');
  }
}
