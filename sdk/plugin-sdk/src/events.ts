import type { ConnectionStatus } from './channel.js';
import type { InboundMessage } from './messages.js';

/**
 * Every event type and its payload. Plugins add their own by declaration merging:
 *
 *   declare module '@omni/plugin-sdk' { interface OmniEventMap { 'crm.lead_created': { leadId: string } } }
 *
 * Names are `<domain>.<action>`; payloads must survive JSON (they cross NATS).
 */
export interface OmniEventMap {
  'message.received': { message: InboundMessage };
  'message.sent': { messageId: string; externalId: string; to: string };
  'message.delivered': { externalId: string };
  'message.read': { externalId: string };
  'message.failed': { messageId?: string; externalId?: string; stage: string; error: string };
  'instance.status': { status: ConnectionStatus };
  'identity.created': { personId: string; identityId: string; channel: string; personCreated: boolean };
  'identity.linked': { personId: string; identityIds: [string, string]; deletedPersonId: string; mergedIdentityIds: string[] };
  'identity.unlinked': { identityId: string; fromPersonId: string; personId: string; reason: string };
  'identity.merged': { personId: string; deletedPersonId: string; mergedIdentityIds: string[]; reason: string | null };
  'plugin.status': { pluginId: string; status: string; error?: string };
  /** A setting was set or reset to its default. Carries no value: read it with the settings service (secrets stay secret). */
  'settings.changed': { key: string; reset: boolean };
}

export type EventType = keyof OmniEventMap & string;

export interface EventMetadata {
  instanceId?: string;
  channel?: string;
  traceId: string;
  correlationId?: string;
}

/** The envelope every event travels in, on either bus. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  payload: OmniEventMap[T];
  metadata: EventMetadata;
  /** ISO timestamp of publication. */
  timestamp: string;
}

export type AnyEventEnvelope = { [T in EventType]: EventEnvelope<T> }[EventType];

export interface PublishOptions {
  instanceId?: string;
  channel?: string;
  traceId?: string;
  correlationId?: string;
  /** Supply to make publication idempotent (JetStream de-duplicates on it). */
  id?: string;
}

export interface DeliveryInfo {
  /** 1 on first delivery, higher on redelivery. */
  attempt: number;
}

export type EventHandler<T extends EventType> = (event: EventEnvelope<T>, delivery: DeliveryInfo) => void | Promise<void>;

/** A type, a `<domain>.*` wildcard or `*`. */
export type EventFilter = EventType | `${string}.*` | '*';

export interface SubscribeOptions {
  /**
   * A durable consumer name. Subscribers sharing a name share the work (each event goes to
   * one of them) and the consumer's position survives restarts. Without it the subscription
   * is ephemeral and sees only events published while it is open.
   */
  durable?: string;
  /** Deliveries before an event is given up (default 5). */
  maxDeliver?: number;
  /** How long an unacknowledged delivery waits before redelivery (default 30 s). */
  ackWaitMs?: number;
  /** Delay before redelivering after the handler throws (default 1 s). */
  retryDelayMs?: number;
}

export interface Subscription {
  /**
   * Stops delivery at once and resolves when the handlers already running have returned (or after
   * the bus's drain timeout, 10 s by default). Inside one of this subscription's own handlers, call
   * it without `await`: awaiting it there waits for the very handler that awaits, until the timeout.
   */
  unsubscribe(): Promise<void>;
}

/**
 * The event bus. Delivery is at least once: an event is acknowledged only after the
 * handler resolves; a throwing handler gets the event again after `retryDelayMs`.
 */
export interface EventBus {
  publish<T extends EventType>(type: T, payload: OmniEventMap[T], options?: PublishOptions): Promise<EventEnvelope<T>>;
  subscribe<T extends EventType>(filter: T, handler: EventHandler<T>, options?: SubscribeOptions): Promise<Subscription>;
  subscribe(filter: EventFilter, handler: (event: AnyEventEnvelope, delivery: DeliveryInfo) => void | Promise<void>, options?: SubscribeOptions): Promise<Subscription>;
}

/** Subject for an event: `omni.<domain>.<action>.<channel>.<instanceId>`, `_` for a missing part. */
export function eventSubject(type: string, channel?: string, instanceId?: string): string {
  const [domain, ...rest] = type.split('.');
  const token = (v: string | undefined) => (v ? v.replace(/[.*>\s]/g, '_') : '_');
  return ['omni', token(domain), token(rest.join('_')), token(channel), token(instanceId)].join('.');
}

/** Subject filter matching an EventFilter. */
export function eventFilterSubject(filter: EventFilter): string {
  if (filter === '*') return 'omni.>';
  const [domain, action] = filter.split('.');
  if (action === '*') return `omni.${domain}.>`;
  return `${eventSubject(filter).split('.').slice(0, 3).join('.')}.>`;
}
