import type { AgentRequest, InboundMessage, Media, MessageContent } from '@omni/plugin-sdk';
import type { EventStage } from '../db/entities/message-event.js';
import { describeContent } from './describe-content.js';
import type { AgentConfig } from '../instances/instance-config.js';

/** One inbound message waiting for the agent, as the router hands it over. */
export interface PendingTurn {
  eventId: string;
  instanceId: string;
  traceId: string;
  receivedAt: Date;
  message: InboundMessage;
  personId: string;
  /** The event's stages so far; written once, when the turn ends. */
  stages: EventStage[];
}

const mediaOf = (content: MessageContent): Media[] => ('media' in content ? [content.media] : []);

export function sessionIdFor(strategy: AgentConfig['sessionStrategy'], instanceId: string, chatId: string, personId: string): string {
  if (strategy === 'per_user') return `${instanceId}:${personId}`;
  if (strategy === 'per_chat') return `${instanceId}:${chatId}`;
  return `${instanceId}:${chatId}:${personId}`;
}

/** Builds one agent request from a burst: every message, in order, one per line. */
export function buildAgentRequest(input: {
  turns: readonly PendingTurn[];
  instance: { id: string; name: string; channel: string };
  agent: AgentConfig;
  usernamePrefix: boolean;
}): AgentRequest {
  const { turns, instance, agent } = input;
  const last = turns[turns.length - 1]!;
  const { sender, chatId, chatType, threadId } = last.message;
  const lines = turns.map((t) => {
    const text = describeContent(t.message.content);
    return input.usernamePrefix && t.message.sender.name ? `[${t.message.sender.name}]: ${text}` : text;
  });
  const media = turns.flatMap((t) => mediaOf(t.message.content));
  return {
    message: lines.join('\n'),
    messageType: turns.length === 1 ? last.message.content.type : 'text',
    sessionId: sessionIdFor(agent.sessionStrategy, instance.id, chatId, last.personId),
    sessionName: `${instance.name}_${sender.phone ?? sender.username ?? sender.id}`,
    userId: last.personId,
    user: { name: sender.name, phone: sender.phone, platformUserId: sender.id },
    instance,
    chat: { id: chatId, type: chatType, ...(threadId ? { threadId } : {}) },
    ...(media.length ? { media } : {}),
    context: {
      messageIds: turns.map((t) => t.message.externalId),
      ...(last.message.replyTo ? { replyTo: last.message.replyTo } : {}),
      ...(last.message.mentions?.length ? { mentions: last.message.mentions } : {}),
      ...(agent.agentId ? { agentId: agent.agentId } : {}),
    },
  };
}
