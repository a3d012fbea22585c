import type { ContentType, Logger, Media, MessageContent } from '@omni/plugin-sdk';
import { isAgentCallError } from '@omni/plugin-sdk';
import type { AgentCaller } from '../agents/agent-caller.js';
import type { AgentProviderRepository } from '../agents/agent-provider-repository.js';
import { resolveAgent } from '../agents/agent-target.js';
import type { InstanceRepository } from '../db/repositories/instance-repository.js';
import { agentOf, messagingOf } from '../instances/instance-config.js';
import type { ChannelRegistry } from '../kernel/channel-registry.js';
import type { MessageSender } from '../messages/message-sender.js';
import { buildAgentRequest, type PendingTurn } from './agent-request.js';
import { stage, type MessageEventStore } from './message-event-store.js';
import { splitReply } from './split-reply.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.round(Math.random() * (max - min));
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function mediaContent(media: Media): MessageContent {
  const kind: ContentType = media.mimeType?.startsWith('image/') ? 'image' : media.mimeType?.startsWith('audio/') ? 'audio' : media.mimeType?.startsWith('video/') ? 'video' : 'document';
  return kind === 'audio' ? { type: 'audio', media } : { type: kind, media } as MessageContent;
}

/**
 * Turns one burst of a chat into the agent's reply on the channel: agent call (with retries),
 * split, sends with pauses between parts. Every step lands in the inbound events' stages, and
 * the outcome (sent or failed, with the failing stage) in their status.
 */
export class TurnProcessor {
  constructor(
    private readonly deps: {
      instances: InstanceRepository;
      channels: ChannelRegistry;
      providers: AgentProviderRepository;
      caller: AgentCaller;
      sender: MessageSender;
      events: MessageEventStore;
      logger: Logger;
    },
  ) {}

  async process(turns: PendingTurn[], waitedMs: number): Promise<void> {
    const { events } = this.deps;
    const ids = turns.map((t) => t.eventId);
    const each = async (fn: (id: string) => Promise<void>) => void (await Promise.all(ids.map(fn)));
    const fail = (stageName: string, reason: string) =>
      each((id) => events.update(id, { status: 'failed', errorStage: stageName, errorMessage: reason, stages: [stage('failed', { detail: `${stageName}: ${reason}` })] }));

    await each((id) => events.update(id, { stages: [stage('debounce', { ms: waitedMs, detail: turns.length > 1 ? `${turns.length} messages merged` : undefined })] }));
    const last = turns[turns.length - 1]!;
    const instance = await this.deps.instances.get(last.instanceId);
    if (!instance) return each((id) => events.update(id, { status: 'skipped', stages: [stage('skipped', { detail: 'instance deleted' })] }));
    const agent = agentOf(instance.agent);
    if (!agent) return each((id) => events.update(id, { status: 'skipped', stages: [stage('skipped', { detail: 'no agent configured' })] }));
    const messaging = messagingOf(instance.messaging);
    const channel = this.deps.channels.get(instance.channel);
    if (!channel) return fail('channel_send', `channel '${instance.channel}' is not running`);

    let resolved;
    try {
      resolved = await resolveAgent(agent, this.deps.providers);
    } catch (err) {
      return fail('agent_request', message(err));
    }
    const request = buildAgentRequest({ turns, instance: { id: instance.id, name: instance.name, channel: instance.channel }, agent, usernamePrefix: messaging.usernamePrefix });
    const chatId = last.message.chatId;
    const typing = channel.capabilities.features.includes('typing') ? channel.adapter.typing?.bind(channel.adapter) : undefined;
    await typing?.(instance.id, chatId, 'composing').catch(() => undefined);
    await each((id) => events.update(id, { stages: [stage('agent_request', { detail: `${resolved.type} ${resolved.target.apiUrl}` })] }));
    const agentStarted = performance.now();
    let reply;
    try {
      reply = (await this.deps.caller.call(resolved.type, resolved.target, request, (attempt, err) => this.deps.logger.warn({ attempt, code: err.code, instanceId: instance.id }, 'agent call failed; retrying'))).reply;
    } catch (err) {
      await typing?.(instance.id, chatId, 'paused').catch(() => undefined);
      const reason = isAgentCallError(err) ? `${err.code}: ${err.message}` : message(err);
      return fail('agent_request', reason);
    }
    const agentMs = Math.round(performance.now() - agentStarted);
    await typing?.(instance.id, chatId, 'paused').catch(() => undefined);
    await each((id) => events.update(id, { agentMs, stages: [stage('agent_response', { ms: agentMs })] }));

    const parts = splitReply(reply.text ?? '', { autoSplit: messaging.enableAutoSplit, maxLength: channel.capabilities.limits.maxTextLength });
    const contents: MessageContent[] = [...parts.map((text): MessageContent => ({ type: 'text', text })), ...(reply.media ?? []).map(mediaContent)];
    if (contents.length === 0) return each((id) => events.update(id, { status: 'skipped', stages: [stage('skipped', { detail: 'agent returned nothing to send' })] }));

    const failures: string[] = [];
    for (const [i, content] of contents.entries()) {
      if (i > 0) await sleep(between(messaging.splitDelayMinMs, messaging.splitDelayMaxMs));
      try {
        const result = await this.deps.sender.send({ instanceId: instance.id, to: chatId, threadId: last.message.threadId, content, traceId: last.traceId, replyToEventId: last.eventId, personId: last.personId });
        if (!result.ok) failures.push(`${result.error.code}: ${result.error.message}`);
      } catch (err) {
        failures.push(message(err));
      }
    }
    const now = Date.now();
    await Promise.all(
      turns.map((t) => {
        const totalMs = now - t.receivedAt.getTime();
        const detail = `${contents.length - failures.length}/${contents.length} sent`;
        return failures.length > 0
          ? events.update(t.eventId, { status: 'failed', totalMs, errorStage: 'channel_send', errorMessage: failures.join('; '), stages: [stage('channel_send', { detail }), stage('failed')] })
          : events.update(t.eventId, { status: 'sent', totalMs, stages: [stage('channel_send', { detail }), stage('sent')] });
      }),
    );
  }
}
