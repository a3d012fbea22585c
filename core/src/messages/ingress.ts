import { OmniError, inboundMessageSchema, type EventBus, type IngressResult, type InboundMessageInput, type Logger } from '@omni/plugin-sdk';
import type { IngressSink } from '../instances/connection-manager.js';
import type { StoredInstance } from '../instances/instance-store.js';
import type { MessageEventStore } from '../pipeline/message-event-store.js';
import { stripNul } from './strip-nul.js';

/**
 * Where inbound messages enter the hub. A message is validated, stored (once per platform
 * message id: a redelivery returns the first event and is not routed again), then published as
 * `message.received` for the router. The channel acknowledges the platform after this resolves.
 */
export class Ingress implements IngressSink {
  constructor(private readonly deps: { events: EventBus; store: MessageEventStore; logger: Logger }) {}

  async receive(instance: StoredInstance, input: InboundMessageInput): Promise<IngressResult> {
    const parsed = inboundMessageSchema.safeParse(input);
    if (!parsed.success) {
      throw new OmniError('VALIDATION_ERROR', `channel '${instance.channel}' produced an invalid inbound message`, {
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const message = stripNul(parsed.data);
    const { event, duplicate } = await this.deps.store.insertInbound({ instanceId: instance.id, channel: instance.channel, message });
    if (duplicate) return { eventId: event.id, duplicate: true };
    try {
      await this.deps.events.publish('message.received', { message }, { id: event.id, instanceId: instance.id, channel: instance.channel, traceId: event.traceId });
    } catch (err) {
      // Stored is safe: recovery routes events whose publication was lost.
      this.deps.logger.warn({ err, eventId: event.id }, 'message stored but not published; recovery will route it');
    }
    return { eventId: event.id, duplicate: false };
  }

  async reportDelivery(instance: StoredInstance, update: { externalId: string; status: 'delivered' | 'read' | 'failed'; error?: string }): Promise<void> {
    const event = await this.deps.store.updateByExternalId(instance.id, update.externalId, update.status, update.error);
    const meta = { instanceId: instance.id, channel: instance.channel, ...(event ? { traceId: event.traceId } : {}) };
    if (update.status === 'failed') {
      await this.deps.events.publish('message.failed', { messageId: event?.id, externalId: update.externalId, stage: 'delivery', error: update.error ?? 'platform reported failure' }, meta);
    } else {
      await this.deps.events.publish(update.status === 'delivered' ? 'message.delivered' : 'message.read', { externalId: update.externalId }, meta);
    }
  }
}
