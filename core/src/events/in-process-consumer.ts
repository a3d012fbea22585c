import type { Logger } from '@omni/plugin-sdk';
import { decodeEnvelope } from './envelope.js';
import type { InProcessEventLog, LoggedEvent } from './in-process-event-log.js';
import type { AnyEventHandler } from './managed-event-bus.js';
import type { SubscribeSettings } from './subscribe-settings.js';
import { subjectMatches } from './subjects.js';

interface Delivery {
  event: LoggedEvent;
  /** The attempt number this delivery will carry. */
  attempt: number;
}

/**
 * The in-process counterpart of a JetStream consumer: a position in the event log plus the
 * subscribers (members) reading from it. A durable consumer outlives its members and can have
 * several, which share its events; a non-durable one has exactly one member.
 *
 * Each member handles one event at a time. A failing event stays with its member, which retries
 * it after `retryDelayMs`, so later events wait behind a retry. Unlike JetStream, which hands out
 * later events while a retry is pending, this keeps a single subscriber strictly in publish order.
 */
export class InProcessConsumer {
  readonly #members: Member[] = [];
  /** Events given back by members that stopped before handling them; served before the log. */
  readonly #redeliveries: Delivery[] = [];
  #nextSeq: number;
  #roundRobin = 0;
  #pumpScheduled = false;
  /** Events of this consumer dropped from the log since it last read one. */
  #lost = 0;

  constructor(
    readonly name: string,
    readonly filterSubject: string,
    private readonly log: InProcessEventLog,
    startSeq: number,
    private readonly logger: Logger,
  ) {
    this.#nextSeq = startSeq;
  }

  addMember(handler: AnyEventHandler, settings: SubscribeSettings): Member {
    const member = new Member(this, handler, settings, this.logger);
    this.#members.push(member);
    this.notify();
    return member;
  }

  /** Stops the member at once; the promise settles when its running handler, if any, does. */
  removeMember(member: Member): Promise<void> {
    const index = this.#members.indexOf(member);
    if (index !== -1) this.#members.splice(index, 1);
    return member.stop();
  }

  /** Stops every member; see removeMember. */
  removeAllMembers(): Promise<void>[] {
    return this.#members.splice(0).map((member) => member.stop());
  }

  /** Schedules delivery of newly available events. Handlers never run inside the caller's turn. */
  notify(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.pump();
    });
  }

  /** Hands available events to idle members, round-robin. */
  pump(): void {
    for (;;) {
      const member = this.#nextIdleMember();
      if (!member) return;
      const delivery = this.#nextDelivery();
      if (!delivery) return;
      member.start(delivery);
    }
  }

  requeue(delivery: Delivery): void {
    this.#redeliveries.push(delivery);
    this.notify();
  }

  /** Called when the log drops its oldest event to stay within capacity. */
  onDropped(event: LoggedEvent): void {
    if (event.seq < this.#nextSeq) return;
    this.#nextSeq = event.seq + 1;
    if (!subjectMatches(this.filterSubject, event.subject)) return;
    if (this.#lost === 0) {
      this.logger.warn({ subscription: this.name, eventId: event.id, type: event.type }, 'Subscription is behind the retention limit: dropping its oldest unread events');
    }
    this.#lost++;
  }

  #nextIdleMember(): Member | undefined {
    const count = this.#members.length;
    for (let i = 0; i < count; i++) {
      const index = (this.#roundRobin + i) % count;
      const member = this.#members[index];
      if (member?.idle) {
        this.#roundRobin = index + 1;
        return member;
      }
    }
    return undefined;
  }

  #nextDelivery(): Delivery | undefined {
    const redelivery = this.#redeliveries.shift();
    if (redelivery) return redelivery;
    while (this.#nextSeq < this.log.nextSeq) {
      const event = this.log.at(this.#nextSeq++);
      if (event && subjectMatches(this.filterSubject, event.subject)) {
        if (this.#lost > 0) {
          this.logger.warn({ subscription: this.name, lost: this.#lost }, 'Subscription caught up after losing events to the retention limit');
          this.#lost = 0;
        }
        return { event, attempt: 1 };
      }
    }
    return undefined;
  }
}

/** One subscriber of a consumer. */
export class Member {
  #busy = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    private readonly consumer: InProcessConsumer,
    private readonly handler: AnyEventHandler,
    private readonly settings: SubscribeSettings,
    private readonly logger: Logger,
  ) {}

  get idle(): boolean {
    return !this.#busy && !this.#stopped;
  }

  start(delivery: Delivery): void {
    this.#busy = true;
    this.#running = this.#handle(delivery).finally(() => {
      this.#busy = false;
      this.#running = undefined;
      this.consumer.pump();
    });
  }

  stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    return this.#running ?? Promise.resolve();
  }

  async #handle({ event, attempt }: Delivery): Promise<void> {
    const context = { subscription: this.consumer.name, eventId: event.id, type: event.type };
    for (;;) {
      // Stopped before (re)trying: give the event back so another member, or a later one, gets it.
      if (this.#stopped) return this.consumer.requeue({ event, attempt });
      try {
        await this.handler(decodeEnvelope(event.encoded), { attempt });
        return;
      } catch (err) {
        if (attempt >= this.settings.maxDeliver) {
          this.logger.error({ ...context, err, attempt }, 'Event handler failed on the last allowed attempt; dropping the event');
          return;
        }
        this.logger.warn({ ...context, err, attempt }, 'Event handler failed; will retry');
        attempt++;
        await this.#sleep(this.settings.retryDelayMs);
      }
    }
  }

  /** Waits, unless stopped meanwhile. */
  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wake = wake;
    });
  }
}
