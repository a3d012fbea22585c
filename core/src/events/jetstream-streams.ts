import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamUpdateConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '@omni/plugin-sdk';
import { errorMessage } from './error-message.js';
import { DUPLICATE_WINDOW_MS } from './recent-ids.js';

/** Domains of the core event types. A `'*'` subscription covers these plus any domain whose stream already exists. */
export const KNOWN_EVENT_DOMAINS = ['message', 'reaction', 'instance', 'identity', 'media', 'access', 'system', 'plugin', 'settings'] as const;

const DAY_MS = 86_400_000;
const MESSAGE_MAX_AGE_MS = 30 * DAY_MS;
const OTHER_MAX_AGE_MS = 7 * DAY_MS;
/** JetStream: "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

/**
 * The namespace's streams, one per event domain: `<NAMESPACE>_<DOMAIN>` holding `<namespace>.<domain>.>`.
 * Each is created (or brought up to date) the first time this bus needs it.
 */
export class JetStreamStreams {
  readonly #ensured = new Map<string, Promise<string>>();

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly namespace: string,
    private readonly logger: Logger,
  ) {}

  /** The stream's name, once it exists with this bus's configuration. */
  ensure(domain: string): Promise<string> {
    let ensured = this.#ensured.get(domain);
    if (!ensured) {
      ensured = this.#createOrUpdate(domain);
      this.#ensured.set(domain, ensured);
      // Forget failures so the next publish or subscribe tries again.
      const attempt = ensured;
      attempt.catch(() => {
        if (this.#ensured.get(domain) === attempt) this.#ensured.delete(domain);
      });
    }
    return ensured;
  }

  /** Makes the next `ensure` check the stream again, e.g. after a publication to it failed. */
  forget(domain: string): void {
    this.#ensured.delete(domain);
  }

  /** Domains that have a stream of this namespace on the server. */
  async existingDomains(): Promise<string[]> {
    const domains: string[] = [];
    for await (const stream of this.jsm.streams.list(`${this.namespace}.>`)) {
      for (const subject of stream.config.subjects ?? []) {
        const [root, domain, rest, ...more] = subject.split('.');
        if (root === this.namespace && domain && rest === '>' && more.length === 0) domains.push(domain);
      }
    }
    return domains;
  }

  async #createOrUpdate(domain: string): Promise<string> {
    const name = `${this.namespace}_${domain}`.toUpperCase();
    const config: Partial<StreamUpdateConfig> = {
      subjects: [`${this.namespace}.${domain}.>`],
      max_age: nanos(domain === 'message' ? MESSAGE_MAX_AGE_MS : OTHER_MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    };
    try {
      // Succeeds unchanged when the stream exists with the same configuration (another process was first).
      await this.jsm.streams.add({ name, storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, ...config });
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) {
        throw new Error(`Cannot create JetStream stream ${name} for ${config.subjects?.join(', ')}: ${errorMessage(err)}`, { cause: err });
      }
      await this.jsm.streams.update(name, config);
      this.logger.info({ stream: name }, 'Updated JetStream stream configuration');
    }
    return name;
  }
}
