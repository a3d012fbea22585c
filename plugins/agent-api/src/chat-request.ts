import type { AgentRequest, AgentTarget } from '@omni/plugin-sdk';

/** The v1 agent contract's request body (snake_case), as v1 agents read it. */
export interface ChatBody {
  user_id: string;
  session_id: string;
  session_name: string;
  message: string;
  message_type: string;
  session_origin: string;
  user: { phone_number: string | null; email: string | null; user_data: Record<string, unknown>; name: string | null };
  context: Record<string, unknown>;
  /** Attachments of the turn, in the hub's media shape; only when the turn has any. */
  media?: AgentRequest['media'];
  agent_id?: string;
}

export function toChatBody(target: AgentTarget, request: AgentRequest): ChatBody {
  const { instance, chat, user } = request;
  const body: ChatBody = {
    user_id: request.userId,
    session_id: request.sessionId,
    session_name: request.sessionName,
    message: request.message,
    message_type: request.messageType,
    session_origin: instance.channel,
    user: { phone_number: user.phone ?? null, email: user.email ?? null, user_data: { platform_user_id: user.platformUserId }, name: user.name ?? null },
    context: {
      channel: instance.channel,
      instance: instance.name,
      instance_id: instance.id,
      chat_id: chat.id,
      chat_type: chat.type,
      ...(chat.threadId === undefined ? {} : { thread_id: chat.threadId }),
      ...request.context,
    },
  };
  if (request.media?.length) body.media = request.media;
  if (target.agentId !== undefined) body.agent_id = target.agentId;
  return body;
}

/** v1 agents authenticate with `x-api-key`; newer ones with a bearer token. Both are sent. */
export function authHeaders(target: AgentTarget): Record<string, string> {
  return target.apiKey ? { authorization: `Bearer ${target.apiKey}`, 'x-api-key': target.apiKey } : {};
}
