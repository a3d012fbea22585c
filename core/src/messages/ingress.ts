import { randomUUID } from 'node:crypto';
import { OmniError, inboundMessageSchema, type EventBus, type IngressResult, type InboundMessageInput } from '@omni/plugin-sdk';
import type { IngressSink } from '../instances/connection-manager.js';
import type { StoredInstance } from '../instances/instance-store.js';

/**
 * Where inbound messages enter the hub: validated against the common message model, then
 * published as `message.received`. The acknowledgement to the channel waits for the publish.
 */
export class Ingress implements IngressSink {
  constructor(private readonly deps: { events: EventBus }) {}

  async receive(instance: StoredInstance, input: InboundMessageInput): Promise<IngressResult> {
    const parsed = inboundMessageSchema.safeParse(input);
    if (!parsed.success) {
      throw new OmniError('VALIDATION_ERROR', `channel '${instance.channel}' produced an invalid inbound message`, {
        details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    const event = await this.deps.events.publish(
      'message.received',
      { message: parsed.data },
      { instanceId: instance.id, channel: instance.channel, traceId: randomUUID() },
    );
    return { eventId: event.id, duplicate: false };
  }

  async reportDelivery(instance: StoredInstance, update: { externalId: string; status: 'delivered' | 'read' | 'failed'; error?: string }): Promise<void> {
    const meta = { instanceId: instance.id, channel: instance.channel };
    if (update.status === 'failed') {
      await this.deps.events.publish('message.failed', { externalId: update.externalId, stage: 'delivery', error: update.error ?? 'platform reported failure' }, meta);
    } else {
      await this.deps.events.publish(update.status === 'delivered' ? 'message.delivered' : 'message.read', { externalId: update.externalId }, meta);
    }
  }
}
