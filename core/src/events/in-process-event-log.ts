/** One published event as the in-process bus retains it. `encoded` is the JSON every delivery decodes afresh. */
export interface LoggedEvent {
  seq: number;
  subject: string;
  id: string;
  type: string;
  encoded: string;
}

/**
 * The in-process stand-in for a JetStream stream: the last `capacity` events, numbered from 1.
 * Consumers read it by sequence number, so durable consumers can start from the oldest retained
 * event and resume where they left off.
 */
export class InProcessEventLog {
  readonly #capacity: number;
  readonly #events: LoggedEvent[] = [];
  #nextSeq = 1;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`Event log capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Sequence number of the oldest retained event (equals `nextSeq` when empty). */
  get firstSeq(): number {
    return this.#events[0]?.seq ?? this.#nextSeq;
  }

  /** Sequence number the next appended event will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  get size(): number {
    return this.#events.length;
  }

  /** Appends an event; returns the oldest event if it had to be dropped to stay within capacity. */
  append(event: Omit<LoggedEvent, 'seq'>): LoggedEvent | undefined {
    this.#events.push({ ...event, seq: this.#nextSeq++ });
    return this.#events.length > this.#capacity ? this.#events.shift() : undefined;
  }

  /** The event with this sequence number, if still retained. */
  at(seq: number): LoggedEvent | undefined {
    return seq < this.firstSeq ? undefined : this.#events[seq - this.firstSeq];
  }
}
