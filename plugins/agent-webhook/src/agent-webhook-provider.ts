import { agentPostJson, type AgentProvider, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import { parseWebhookReply } from './webhook-reply.js';

/** What a webhook agent receives: the hub's AgentRequest as is (camelCase), plus the target's agentId. */
export type WebhookAgentBody = AgentRequest & { agentId?: string };

export const toWebhookBody = (target: AgentTarget, request: AgentRequest): WebhookAgentBody =>
  target.agentId === undefined ? request : { ...request, agentId: target.agentId };

/**
 * A generic JSON webhook: `POST apiUrl` (the URL exactly as configured) with the request,
 * `{text, media?, actions?}` back. Neither health nor listing: a webhook URL has no standard
 * way to offer them.
 */
export function createWebhookAgentProvider(): AgentProvider {
  return {
    async call(target, request, signal) {
      const headers: Record<string, string> = target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {};
      return parseWebhookReply(await agentPostJson(target.apiUrl, toWebhookBody(target, request), headers, target, signal));
    },
  };
}
