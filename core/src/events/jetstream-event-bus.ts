import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
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
import { errorMessage } from './error-message.js';
import { DRAIN_WAIT_EXCEEDED, UNSUBSCRIBE_WAIT_EXCEEDED } from './drain-messages.js';
import { JetStreamStreams, KNOWN_EVENT_DOMAINS } from './jetstream-streams.js';
import { JetStreamSubscription, type ConsumerTarget } from './jetstream-subscription.js';
import type { AnyEventHandler, EventBusHealth, ManagedEventBus } from './managed-event-bus.js';
import { settledWithin } from './settled-within.js';
import { resolveSubscribeSettings } from './subscribe-settings.js';
import { SDK_SUBJECT_ROOT, subjectDomain, withSubjectRoot } from './subjects.js';

export interface JetStreamEventBusOptions {
  /** The bus owns the connection: `close()` drains it. */
  connection: NatsConnection;
  logger: Logger;
  /**
   * Roots subjects (`<namespace>.<domain>.<action>.<channel>.<instanceId>`) and names streams
   * (`<NAMESPACE>_<DOMAIN>`), so deployments or test runs can share a NATS server. Lowercase
   * letters, digits and `-`; default `omni`.
   */
  namespace?: string;
  /** How long `close()` and `unsubscribe()` wait for running handlers (default 10 s). */
  drainTimeoutMs?: number;
}

const NAMESPACE = /^[a-z][a-z0-9-]*$/;

/**
 * The event bus over NATS JetStream: one file-backed stream per event domain, a durable pull
 * consumer per durable subscription name, an ephemeral consumer per other subscription.
 * A `'*'` subscription reads every domain in KNOWN_EVENT_DOMAINS plus every domain that has a
 * stream when it subscribes; domains first published later are not included.
 */
export class JetStreamEventBus implements ManagedEventBus {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #streams: JetStreamStreams;
  readonly #namespace: string;
  readonly #logger: Logger;
  readonly #drainTimeoutMs: number;
  readonly #subscriptions = new Set<JetStreamSubscription>();
  #closing: Promise<void> | undefined;

  /** Fails if the server has no JetStream. */
  static async create(options: JetStreamEventBusOptions): Promise<JetStreamEventBus> {
    const namespace = options.namespace ?? SDK_SUBJECT_ROOT;
    if (!NAMESPACE.test(namespace)) throw new Error(`Invalid event bus namespace "${namespace}": use lowercase letters, digits and "-", starting with a letter`);
    const jsm = await jetstreamManager(options.connection);
    return new JetStreamEventBus(options, namespace, jsm);
  }

  private constructor(options: JetStreamEventBusOptions, namespace: string, jsm: JetStreamManager) {
    this.#nc = options.connection;
    this.#js = jetstream(this.#nc);
    this.#jsm = jsm;
    this.#namespace = namespace;
    this.#logger = options.logger.child({ component: 'event-bus', bus: 'jetstream', namespace });
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.#streams = new JetStreamStreams(jsm, namespace, this.#logger);
    void this.#watchConnection();
  }

  async publish<T extends EventType>(type: T, payload: OmniEventMap[T], options?: PublishOptions): Promise<EventEnvelope<T>> {
    this.#assertOpen();
    const envelope = createEnvelope(type, payload, options);
    const subject = withSubjectRoot(eventSubject(type, envelope.metadata.channel, envelope.metadata.instanceId), this.#namespace);
    const domain = subjectDomain(subject);
    await this.#streams.ensure(domain);
    try {
      const ack = await this.#js.publish(subject, encodeEnvelope(envelope), { msgID: envelope.id });
      if (ack.duplicate) this.#logger.debug({ eventId: envelope.id, type }, 'Duplicate publication dropped by JetStream');
    } catch (err) {
      // The stream may have been deleted behind our back; check it again next time.
      this.#streams.forget(domain);
      throw new Error(`Cannot publish ${type} to ${subject}: ${errorMessage(err)}`, { cause: err });
    }
    return envelope;
  }

  subscribe<T extends EventType>(filter: T, handler: EventHandler<T>, options?: SubscribeOptions): Promise<Subscription>;
  subscribe(filter: EventFilter, handler: AnyEventHandler, options?: SubscribeOptions): Promise<Subscription>;
  async subscribe(filter: EventFilter, handler: AnyEventHandler, options?: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    const settings = resolveSubscribeSettings(options);
    const filterSubject = withSubjectRoot(eventFilterSubject(filter), this.#namespace);
    const subscription = await JetStreamSubscription.start({
      js: this.#js,
      jsm: this.#jsm,
      targets: await this.#targets(filterSubject),
      handler,
      settings,
      logger: this.#logger.child({ subscription: settings.durable ?? 'ephemeral', filter }),
    });
    if (this.#closing) {
      await subscription.unsubscribe();
      throw new Error('Event bus is closed');
    }
    // Kept until its last handler returns, so close() can wait for it.
    this.#subscriptions.add(subscription);
    void subscription.finished().then(() => this.#subscriptions.delete(subscription));
    return {
      unsubscribe: async () => {
        await subscription.unsubscribe();
        await this.#waitFor([subscription.finished()], UNSUBSCRIBE_WAIT_EXCEEDED);
      },
    };
  }

  async health(): Promise<EventBusHealth> {
    if (this.#closing) return { ok: false, detail: 'closed' };
    const server = this.#nc.getServer();
    if (this.#nc.isClosed()) return { ok: false, detail: `NATS connection to ${server} is closed` };
    try {
      let streams = 0;
      for await (const _ of this.#jsm.streams.names(`${this.#namespace}.>`)) streams++;
      return { ok: true, detail: `JetStream at ${server}, ${streams} streams` };
    } catch (err) {
      return { ok: false, detail: `JetStream at ${server} is not answering: ${errorMessage(err)}` };
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #targets(filterSubject: string): Promise<ConsumerTarget[]> {
    const domain = subjectDomain(filterSubject);
    if (domain !== '>') return [{ stream: await this.#streams.ensure(domain), filterSubject }];
    const domains = new Set<string>([...KNOWN_EVENT_DOMAINS, ...(await this.#streams.existingDomains())]);
    return Promise.all([...domains].map(async (d) => ({ stream: await this.#streams.ensure(d), filterSubject: `${this.#namespace}.${d}.>` })));
  }

  async #shutdown(): Promise<void> {
    const subscriptions = [...this.#subscriptions];
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
    await this.#waitFor(subscriptions.map((subscription) => subscription.finished()));
    if (this.#nc.isClosed()) return;
    try {
      await this.#nc.drain();
    } catch (err) {
      this.#logger.warn({ err }, 'Could not drain the NATS connection');
    }
  }

  async #waitFor(running: Promise<void>[], exceeded = DRAIN_WAIT_EXCEEDED): Promise<void> {
    if (!(await settledWithin(running, this.#drainTimeoutMs))) this.#logger.warn({ timeoutMs: this.#drainTimeoutMs }, exceeded);
  }

  async #watchConnection(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type === 'disconnect') this.#logger.warn({ server: status.server }, 'Disconnected from NATS; reconnecting');
      else if (status.type === 'reconnect') this.#logger.info({ server: status.server }, 'Reconnected to NATS');
    }
    if (!this.#closing) this.#logger.error('NATS connection closed; the event bus is down');
  }

  #assertOpen(): void {
    if (this.#closing) throw new Error('Event bus is closed');
  }
}
