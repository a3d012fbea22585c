import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { AnyEventEnvelope, Logger, Subscription } from '@omni/plugin-sdk';
import { decodeEnvelope } from './envelope.js';
import { errorMessage } from './error-message.js';
import type { AnyEventHandler } from './managed-event-bus.js';
import type { SubscribeSettings } from './subscribe-settings.js';

/** Where a subscription reads from: a stream, and the subjects it wants there. */
export interface ConsumerTarget {
  stream: string;
  filterSubject: string;
}

export interface JetStreamSubscriptionOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Several for a filter spanning domains (`'*'`). */
  targets: readonly ConsumerTarget[];
  handler: AnyEventHandler;
  settings: SubscribeSettings;
  logger: Logger;
}

/** Ephemeral consumers left behind by a crashed process are removed by the server after this idle time. */
const EPHEMERAL_INACTIVE_THRESHOLD_MS = 60 * 60_000;

/**
 * A subscription over one pull consumer per target: durable consumers for durable subscriptions
 * (shared with every subscriber of that name), ephemeral ones otherwise.
 *
 * Handlers run one at a time, across all targets. Each consumer pulls its next event only after
 * the previous one is handled, so no event ages in a client buffer; and while an event is held,
 * its ack deadline is extended every `ackWaitMs / 2`. So `ackWaitMs` is the time to redelivery
 * after a subscriber dies, not a limit on how long a handler may run.
 * A throwing handler's event is nak'ed with `retryDelayMs` (later events carry on meanwhile);
 * on the last allowed attempt it is terminated.
 */
export class JetStreamSubscription implements Subscription {
  readonly #options: JetStreamSubscriptionOptions;
  readonly #readers: { messages: ConsumerMessages; done: Promise<void> }[] = [];
  readonly #ephemerals: { stream: string; name: string }[] = [];
  #turn: Promise<void> = Promise.resolve();
  #stopped = false;
  #unsubscribed: Promise<void> | undefined;

  /** Sets up every consumer and starts reading; on failure, undoes what was set up and rethrows. */
  static async start(options: JetStreamSubscriptionOptions): Promise<JetStreamSubscription> {
    const subscription = new JetStreamSubscription(options);
    try {
      await Promise.all(options.targets.map((target) => subscription.#attach(target)));
    } catch (err) {
      await subscription.unsubscribe();
      throw err;
    }
    return subscription;
  }

  private constructor(options: JetStreamSubscriptionOptions) {
    this.#options = options;
  }

  /** Stops delivery, without waiting for a running handler (see `finished`). */
  unsubscribe(): Promise<void> {
    this.#unsubscribed ??= this.#stop();
    return this.#unsubscribed;
  }

  /** Settles once the subscription has stopped and its last handler has returned. */
  finished(): Promise<void> {
    return Promise.all(this.#readers.map((reader) => reader.done)).then(() => undefined);
  }

  async #attach(target: ConsumerTarget): Promise<void> {
    const { js, settings } = this.#options;
    const name = settings.durable ? await this.#ensureDurable(target, settings.durable) : await this.#createEphemeral(target);
    const consumer = await js.consumers.get(target.stream, name);
    const messages = await consumer.consume({ max_messages: 1 });
    const logger = this.#options.logger.child({ stream: target.stream, consumer: name });
    this.#readers.push({ messages, done: this.#read(messages, logger) });
  }

  async #ensureDurable({ stream, filterSubject }: ConsumerTarget, durable: string): Promise<string> {
    const { jsm, settings, logger } = this.#options;
    const limits = { ack_wait: nanos(settings.ackWaitMs), max_deliver: settings.maxDeliver };
    // Look before adding: some servers silently replace an existing durable's filter on add.
    let existing = await this.#consumerInfo(stream, durable);
    if (!existing) {
      try {
        await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: filterSubject, ...limits });
        return durable;
      } catch (err) {
        existing = await this.#consumerInfo(stream, durable);
        if (!existing) throw new Error(`Cannot create durable consumer ${durable} on ${stream}: ${errorMessage(err)}`, { cause: err });
      }
    }
    if (existing.config.filter_subject !== filterSubject) {
      throw new Error(`Durable "${durable}" on ${stream} filters "${existing.config.filter_subject ?? '(none)'}", not "${filterSubject}"; use another durable name`);
    }
    if (existing.config.ack_wait !== limits.ack_wait || existing.config.max_deliver !== limits.max_deliver) {
      await jsm.consumers.update(stream, durable, limits);
      logger.info({ stream, durable, ...limits }, 'Updated durable consumer settings');
    }
    return durable;
  }

  async #consumerInfo(stream: string, name: string): Promise<ConsumerInfo | undefined> {
    try {
      return await this.#options.jsm.consumers.info(stream, name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw err;
    }
  }

  async #createEphemeral({ stream, filterSubject }: ConsumerTarget): Promise<string> {
    const { jsm, settings } = this.#options;
    const info = await jsm.consumers.add(stream, {
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      filter_subject: filterSubject,
      ack_wait: nanos(settings.ackWaitMs),
      max_deliver: settings.maxDeliver,
      inactive_threshold: nanos(EPHEMERAL_INACTIVE_THRESHOLD_MS),
    });
    this.#ephemerals.push({ stream, name: info.name });
    return info.name;
  }

  async #read(messages: ConsumerMessages, logger: Logger): Promise<void> {
    try {
      for await (const msg of messages) {
        const keepAlive = setInterval(() => reply(msg, 'working', logger), Math.max(1, Math.floor(this.#options.settings.ackWaitMs / 2)));
        keepAlive.unref();
        try {
          await this.#inTurn(() => this.#handle(msg, logger));
        } finally {
          clearInterval(keepAlive);
        }
      }
    } catch (err) {
      if (!this.#stopped) logger.error({ err }, 'Subscription stopped receiving events');
    }
  }

  /** Runs tasks one after another, whichever consumer they come from. */
  #inTurn(task: () => Promise<void>): Promise<void> {
    const turn = this.#turn.then(task);
    this.#turn = turn.catch(() => undefined);
    return turn;
  }

  async #handle(msg: JsMsg, logger: Logger): Promise<void> {
    // Fetched before unsubscribe: hand it straight back for another subscriber.
    if (this.#stopped) return reply(msg, 'nak', logger);
    let event: AnyEventEnvelope;
    try {
      event = decodeEnvelope(msg.string());
    } catch (err) {
      logger.error({ err, subject: msg.subject, seq: msg.seq }, 'Undecodable event; terminating it');
      return reply(msg, 'term', logger);
    }
    const attempt = msg.info.deliveryCount;
    const context = { eventId: event.id, type: event.type, attempt };
    try {
      await this.#options.handler(event, { attempt });
      reply(msg, 'ack', logger);
    } catch (err) {
      if (attempt >= this.#options.settings.maxDeliver) {
        logger.error({ ...context, err }, 'Event handler failed on the last allowed attempt; dropping the event');
        reply(msg, 'term', logger);
      } else {
        logger.warn({ ...context, err }, 'Event handler failed; will retry');
        reply(msg, 'nak', logger, this.#options.settings.retryDelayMs);
      }
    }
  }

  async #stop(): Promise<void> {
    const { jsm, logger } = this.#options;
    this.#stopped = true;
    for (const reader of this.#readers) reader.messages.stop();
    await Promise.all(
      this.#ephemerals.map(({ stream, name }) =>
        jsm.consumers.delete(stream, name).catch((err: unknown) => logger.warn({ err, stream, consumer: name }, 'Could not delete ephemeral consumer; the server removes it once inactive')),
      ),
    );
  }
}

/** Acknowledges, never throwing: a lost reply only means the server redelivers after ack wait. */
function reply(msg: JsMsg, kind: 'ack' | 'nak' | 'term' | 'working', logger: Logger, nakDelayMs?: number): void {
  try {
    if (kind === 'nak') msg.nak(nakDelayMs);
    else msg[kind]();
  } catch (err) {
    logger.warn({ err, subject: msg.subject, seq: msg.seq, reply: kind }, 'Could not reply to JetStream');
  }
}
