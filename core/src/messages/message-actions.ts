import { OmniError, type MessageRef, type SendResult } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { MessageEventSchema, type MessageEvent } from '../db/entities/message-event.js';
import { requireCapabilities, requireMethod, resolveChannel, type ResolvedChannel } from '../instances/channel-access.js';
import type { InstanceStore } from '../instances/instance-store.js';
import type { ChannelRegistry } from '../kernel/channel-registry.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What can be done to messages after they exist: edit and delete sent messages, mark received
 * ones read, show typing. Each goes through the channel's capability object first.
 */
export class MessageActions {
  constructor(private readonly deps: { store: InstanceStore; channels: ChannelRegistry; database: Database }) {}

  /** `allowed`: the instances the caller may touch (null or unset: all). */
  async edit(messageId: string, text: string, allowed?: readonly string[] | null): Promise<{ messageId: string; externalMessageId: string }> {
    const { event, resolved } = await this.sentMessage(messageId, allowed);
    requireCapabilities(resolved, { features: ['edit'] });
    const result = await requireMethod(resolved, 'edit', 'edit messages')(event.instanceId, refOf(event), text);
    return { messageId: event.id, externalMessageId: settled(result, 'edit') };
  }

  async delete(messageId: string, allowed?: readonly string[] | null): Promise<{ messageId: string }> {
    const { event, resolved } = await this.sentMessage(messageId, allowed);
    requireCapabilities(resolved, { features: ['delete'] });
    settled(await requireMethod(resolved, 'delete', 'delete messages')(event.instanceId, refOf(event)), 'delete');
    return { messageId: event.id };
  }

  async typing(instanceId: string, chatId: string, state: 'composing' | 'paused'): Promise<void> {
    const resolved = await resolveChannel(this.deps.store, this.deps.channels, instanceId);
    requireCapabilities(resolved, { features: ['typing'] });
    await requireMethod(resolved, 'typing', 'show typing')(instanceId, chatId, state);
  }

  /** Marks one received message read; `messageId` is Omni's event id or the platform's id. */
  async markMessageRead(instanceId: string, messageId: string): Promise<void> {
    const resolved = await this.readable(instanceId);
    const em = this.deps.database.fork();
    const where = UUID.test(messageId) ? { $or: [{ id: messageId }, { externalId: messageId }] } : { externalId: messageId };
    const event = await em.findOne(MessageEventSchema, { instanceId, direction: 'inbound', ...where });
    if (!event?.externalId) throw new OmniError('NOT_FOUND', `no received message '${messageId}' on this instance`);
    await requireMethod(resolved, 'markRead', 'mark messages read')(instanceId, [refOf(event)]);
  }

  /** Marks the chat's latest received messages read (platforms take the newest as "read up to"). */
  async markChatRead(instanceId: string, chatId: string): Promise<number> {
    const resolved = await this.readable(instanceId);
    const events = await this.deps.database.fork().find(
      MessageEventSchema,
      { instanceId, chatId, direction: 'inbound', externalId: { $ne: null } },
      { orderBy: { createdAt: 'desc' }, limit: 50 },
    );
    if (events.length > 0) await requireMethod(resolved, 'markRead', 'mark messages read')(instanceId, events.map(refOf));
    return events.length;
  }

  private async readable(instanceId: string): Promise<ResolvedChannel> {
    const resolved = await resolveChannel(this.deps.store, this.deps.channels, instanceId);
    requireCapabilities(resolved, { features: ['readReceipts'] });
    return resolved;
  }

  private async sentMessage(messageId: string, allowed?: readonly string[] | null): Promise<{ event: MessageEvent; resolved: ResolvedChannel }> {
    const event = UUID.test(messageId) ? await this.deps.database.fork().findOne(MessageEventSchema, { id: messageId, direction: 'outbound' }) : null;
    if (!event || (allowed && !allowed.includes(event.instanceId))) throw new OmniError('NOT_FOUND', `no sent message '${messageId}'`);
    if (!event.externalId) throw new OmniError('CONFLICT', `message '${messageId}' was never delivered to the platform (status ${event.status})`);
    return { event, resolved: await resolveChannel(this.deps.store, this.deps.channels, event.instanceId) };
  }
}

const refOf = (event: MessageEvent): MessageRef => ({ chatId: event.chatId, messageId: event.externalId! });

function settled(result: SendResult, action: string): string {
  if (result.ok) return result.externalId;
  throw new OmniError('PLATFORM_ERROR', `the channel could not ${action} the message: ${result.error.message}`, {
    details: { code: result.error.code, retryable: result.error.retryable, retryAfterMs: result.error.retryAfterMs },
  });
}
