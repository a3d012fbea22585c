import type { ContentType, Logger, Media, MessageContent } from '@omni/plugin-sdk';
import { isAgentCallError } from '@omni/plugin-sdk';
import type { AgentCaller } from '../agents/agent-caller.js';
import type { AgentProviderRepository } from '../agents/agent-provider-repository.js';
import { resolveAgent } from '../agents/agent-target.js';
import type { EventStage } from '../db/entities/message-event.js';
import type { InstanceRepository } from '../db/repositories/instance-repository.js';
import { agentOf, messagingOf } from '../instances/instance-config.js';
import type { ChannelRegistry } from '../kernel/channel-registry.js';
import type { MessageSender } from '../messages/message-sender.js';
import { buildAgentRequest, type PendingTurn } from './agent-request.js';
import { stage, type EventOutcome, type MessageEventStore } from './message-event-store.js';
import { splitReply } from './split-reply.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.round(Math.random() * (max - min));
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function mediaContent(media: Media): MessageContent {
  const kind: ContentType = media.mimeType?.startsWith('image/') ? 'image' : media.mimeType?.startsWith('audio/') ? 'audio' : media.mimeType?.startsWith('video/') ? 'video' : 'document';
  return kind === 'audio' ? { type: 'audio', media } : ({ type: kind, media } as MessageContent);
}

/**
 * Turns one burst of a chat into the agent's reply on the channel: agent call (with retries),
 * split, sends with pauses between parts. The burst's stages are collected in memory and each
 * inbound event is written once, with its outcome (sent, skipped or failed with its stage).
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
    const record = (...stages: EventStage[]) => turns.forEach((t) => t.stages.push(...stages));
    const finish = (outcome: Omit<EventOutcome, 'stages' | 'personId'>, ...stages: EventStage[]) => {
      record(...stages);
      const now = Date.now();
      return Promise.all(turns.map((t) => this.deps.events.finish(t.eventId, { ...outcome, personId: t.personId, totalMs: now - t.receivedAt.getTime(), stages: t.stages }))).then(() => undefined);
    };
    const fail = (stageName: string, reason: string) => finish({ status: 'failed', errorStage: stageName, errorMessage: reason }, stage('failed', { detail: `${stageName}: ${reason}` }));
    const skip = (why: string) => finish({ status: 'skipped' }, stage('skipped', { detail: why }));

    record(stage('debounce', { ms: waitedMs, detail: turns.length > 1 ? `${turns.length} messages merged` : undefined }));
    const last = turns[turns.length - 1]!;
    const instance = await this.deps.instances.get(last.instanceId);
    if (!instance) return skip('instance deleted');
    const agent = agentOf(instance.agent);
    if (!agent) return skip('no agent configured');
    const messaging = messagingOf(instance.messaging);
    const channel = this.deps.channels.get(instance.channel);
    if (!channel) return fail('channel_send', `channel '${instance.channel}' is not running`);

    let resolved;
    try {
      resolved = await resolveAgent(agent, this.deps.providers);
    } catch (err) {
      return fail('agent_request', errorText(err));
    }
    const request = buildAgentRequest({ turns, instance: { id: instance.id, name: instance.name, channel: instance.channel }, agent, usernamePrefix: messaging.usernamePrefix });
    const chatId = last.message.chatId;
    const typing = channel.capabilities.features.includes('typing') ? channel.adapter.typing?.bind(channel.adapter) : undefined;
    await typing?.(instance.id, chatId, 'composing').catch(() => undefined);
    record(stage('agent_request', { detail: `${resolved.type} ${resolved.target.apiUrl}` }));
    const agentStarted = performance.now();
    let reply;
    try {
      reply = (await this.deps.caller.call(resolved.type, resolved.target, request, (attempt, err) => this.deps.logger.warn({ attempt, code: err.code, instanceId: instance.id }, 'agent call failed; retrying'))).reply;
    } catch (err) {
      await typing?.(instance.id, chatId, 'paused').catch(() => undefined);
      return fail('agent_request', isAgentCallError(err) ? `${err.code}: ${err.message}` : errorText(err));
    }
    const agentMs = Math.round(performance.now() - agentStarted);
    await typing?.(instance.id, chatId, 'paused').catch(() => undefined);
    record(stage('agent_response', { ms: agentMs }));

    const parts = splitReply(reply.text ?? '', { autoSplit: messaging.enableAutoSplit, maxLength: channel.capabilities.limits.maxTextLength });
    const contents: MessageContent[] = [...parts.map((text): MessageContent => ({ type: 'text', text })), ...(reply.media ?? []).map(mediaContent)];
    if (contents.length === 0) return finish({ status: 'skipped', agentMs }, stage('skipped', { detail: 'agent returned nothing to send' }));

    const failures: string[] = [];
    for (const [i, content] of contents.entries()) {
      if (i > 0) await sleep(between(messaging.splitDelayMinMs, messaging.splitDelayMaxMs));
      try {
        const result = await this.deps.sender.send({ instanceId: instance.id, to: chatId, threadId: last.message.threadId, content, traceId: last.traceId, replyToEventId: last.eventId, personId: last.personId });
        if (!result.ok) failures.push(`${result.error.code}: ${result.error.message}`);
      } catch (err) {
        failures.push(errorText(err));
      }
    }
    const sent = stage('channel_send', { detail: `${contents.length - failures.length}/${contents.length} sent` });
    if (failures.length > 0) return finish({ status: 'failed', agentMs, errorStage: 'channel_send', errorMessage: failures.join('; ') }, sent, stage('failed'));
    return finish({ status: 'sent', agentMs }, sent, stage('sent'));
  }
}
