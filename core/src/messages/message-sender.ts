import { randomUUID } from 'node:crypto';
import { v7 as timeOrderedId } from 'uuid';
import {
  type ChannelFeature,
  type EventBus,
  type Hooks,
  type MessageContent,
  type SendResult,
} from '@omni/plugin-sdk';
import type { ChannelRegistry } from '../kernel/channel-registry.js';
import { requireCapabilities, resolveChannel } from '../instances/channel-access.js';
import type { InstanceStore } from '../instances/instance-store.js';
import { stage, type MessageEventStore } from '../pipeline/message-event-store.js';

export interface SendRequest {
  instanceId: string;
  to: string;
  content: MessageContent;
  replyTo?: string;
  threadId?: string;
  /** Set when the send answers an inbound message: the reply joins its trace. */
  traceId?: string;
  replyToEventId?: string;
  personId?: string | null;
}

export type SendOutcome = SendResult & { messageId: string; traceId: string };

/**
 * Sends one message through an instance's channel and records it as an outbound event. The
 * channel's capability object decides here, once, whether the request is possible
 * (422 CAPABILITY_NOT_SUPPORTED otherwise); a failed send is a `failed` event, never silence.
 */
export class MessageSender {
  constructor(private readonly deps: { store: InstanceStore; events: MessageEventStore; channels: ChannelRegistry; hooks: Hooks; bus: EventBus }) {}

  async send(request: SendRequest): Promise<SendOutcome> {
    const resolved = await resolveChannel(this.deps.store, this.deps.channels, request.instanceId);
    const { instance, channel } = resolved;
    const features: ChannelFeature[] = [];
    if (request.replyTo) features.push('reply');
    if (request.threadId) features.push('threads');
    requireCapabilities(resolved, { send: request.content.type, features });

    const traceId = request.traceId ?? timeOrderedId();
    const { message } = await this.deps.hooks.callWaterfall('message.outbound', {
      message: { id: randomUUID(), to: request.to, content: request.content, replyTo: request.replyTo, threadId: request.threadId },
      instanceId: instance.id,
      channel: instance.channel,
    });
    const event = await this.deps.events.insertOutbound({ traceId, replyToEventId: request.replyToEventId, instanceId: instance.id, channel: instance.channel, to: message.to, content: message.content, personId: request.personId });
    const started = performance.now();
    let result: SendResult;
    try {
      result = await channel.adapter.send(instance.id, { ...message, id: event.id });
    } catch (err) {
      result = { ok: false, error: { code: 'ADAPTER_ERROR', message: err instanceof Error ? err.message : String(err), retryable: false } };
    }
    const ms = Math.round(performance.now() - started);
    const meta = { instanceId: instance.id, channel: instance.channel, traceId };
    if (result.ok) {
      await this.deps.events.finish(event.id, { status: 'sent', externalId: result.externalId, stages: [...event.stages, stage('sent', { ms })] });
      await this.deps.bus.publish('message.sent', { messageId: event.id, externalId: result.externalId, to: message.to }, meta);
    } else {
      const reason = `${result.error.code}: ${result.error.message}`;
      await this.deps.events.finish(event.id, { status: 'failed', errorStage: 'channel_send', errorMessage: reason, stages: [...event.stages, stage('failed', { ms, detail: reason })] });
      await this.deps.bus.publish('message.failed', { messageId: event.id, stage: 'channel_send', error: reason }, meta);
    }
    return { ...result, messageId: event.id, traceId };
  }
}
