import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@omni/plugin-sdk';
import { errorMessage } from './error-message.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import type { ManagedEventBus } from './managed-event-bus.js';

export type { EventBusHealth, ManagedEventBus } from './managed-event-bus.js';

export interface CreateEventBusOptions {
  /** `nats://host:port` of a JetStream-enabled server; without it events stay in this process. */
  natsUrl?: string;
  logger: Logger;
  /** JetStream only: see JetStreamEventBusOptions.namespace (default `omni`). */
  namespace?: string;
  /** JetStream only: how long to try the first connection (default 5 s). */
  connectTimeoutMs?: number;
}

/** The JetStream bus when `natsUrl` is set, the in-process bus otherwise. */
export async function createEventBus(options: CreateEventBusOptions): Promise<ManagedEventBus> {
  const { natsUrl, logger } = options;
  if (!natsUrl) {
    logger.info('Event bus: in-process');
    return new InProcessEventBus({ logger });
  }

  // Loaded only when used: the NATS client is ~13 MB of memory an embedded hub does not need.
  const [{ connect }, { JetStreamEventBus }] = await Promise.all([import('@nats-io/transport-node'), import('./jetstream-event-bus.js')]);
  const where = redactCredentials(natsUrl);
  let connection: NatsConnection;
  try {
    // Once connected, keep reconnecting for as long as the server is away.
    connection = await connect({ servers: natsUrl, name: 'omni', timeout: options.connectTimeoutMs ?? 5_000, maxReconnectAttempts: -1 });
  } catch (err) {
    throw new Error(`Cannot connect to NATS at ${where}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    const bus = await JetStreamEventBus.create({ connection, logger, namespace: options.namespace });
    logger.info({ natsUrl: where }, 'Event bus: NATS JetStream');
    return bus;
  } catch (err) {
    await connection.close();
    throw new Error(`Cannot use JetStream on NATS at ${where}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The URL without user and password, for messages and logs. */
export function redactCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
