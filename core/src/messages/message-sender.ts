import { randomUUID } from 'node:crypto';
import {
  OmniError,
  missingCapabilities,
  type ChannelFeature,
  type EventBus,
  type Hooks,
  type MessageContent,
  type SendResult,
} from '@omni/plugin-sdk';
import type { ChannelRegistry } from '../kernel/channel-registry.js';
import type { InstanceStore } from '../instances/instance-store.js';

export interface SendRequest {
  instanceId: string;
  to: string;
  content: MessageContent;
  replyTo?: string;
  threadId?: string;
}

/**
 * Sends one message through an instance's channel. The channel's capability object decides
 * here, once, whether the request is possible (422 CAPABILITY_NOT_SUPPORTED otherwise).
 */
export class MessageSender {
  constructor(private readonly deps: { store: InstanceStore; channels: ChannelRegistry; hooks: Hooks; events: EventBus }) {}

  async send(request: SendRequest): Promise<SendResult & { messageId: string }> {
    const instance = await this.deps.store.get(request.instanceId);
    if (!instance) throw new OmniError('NOT_FOUND', `instance '${request.instanceId}' not found`);
    const channel = this.deps.channels.get(instance.channel);
    if (!channel) throw new OmniError('SERVICE_UNAVAILABLE', `channel '${instance.channel}' is not running`);

    const features: ChannelFeature[] = [];
    if (request.replyTo) features.push('reply');
    if (request.threadId) features.push('threads');
    const missing = missingCapabilities(channel.capabilities, { send: request.content.type, features });
    if (missing.length > 0) {
      throw new OmniError('CAPABILITY_NOT_SUPPORTED', `channel '${instance.channel}' cannot do: ${missing.join(', ')}`, { details: { channel: instance.channel, missing } });
    }

    const messageId = randomUUID();
    const { message } = await this.deps.hooks.callWaterfall('message.outbound', {
      message: { id: messageId, to: request.to, content: request.content, replyTo: request.replyTo, threadId: request.threadId },
      instanceId: instance.id,
      channel: instance.channel,
    });
    const meta = { instanceId: instance.id, channel: instance.channel };
    let result: SendResult;
    try {
      result = await channel.adapter.send(instance.id, message);
    } catch (err) {
      result = { ok: false, error: { code: 'ADAPTER_ERROR', message: err instanceof Error ? err.message : String(err), retryable: false } };
    }
    if (result.ok) await this.deps.events.publish('message.sent', { messageId, externalId: result.externalId, to: message.to }, meta);
    else await this.deps.events.publish('message.failed', { messageId, stage: 'channel_send', error: `${result.error.code}: ${result.error.message}` }, meta);
    return { ...result, messageId };
  }
}
