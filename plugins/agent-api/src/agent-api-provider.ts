import { agentFetch, agentBaseUrl, agentPostJson, agentCallSignal, discardBody, ensureAgentOk, readAgentJson, type AgentProvider, type AgentTarget } from '@omni/plugin-sdk';
import { parseAgentList, type AgentSummary } from './agent-list.js';
import { parseChatReply } from './chat-reply.js';
import { authHeaders, toChatBody } from './chat-request.js';

/** Where v1-style agents answer health checks and list their agents, in the order tried. */
const HEALTH_PATHS = ['/health', '/api/agent/health'] as const;
const LIST_PATHS = ['/api/agents', '/api/agent/list'] as const;

/** The v1 agent contract: `POST {apiUrl}/api/agent/chat`, JSON in, `{text, media?, actions?}` out. */
export function createAgentApiProvider(): AgentProvider {
  return {
    async call(target, request, signal) {
      return parseChatReply(await agentPostJson(`${agentBaseUrl(target)}/api/agent/chat`, toChatBody(target, request), authHeaders(target), target, signal));
    },

    async health(target, signal) {
      let error = '';
      for (const path of HEALTH_PATHS) {
        try {
          const res = await agentFetch(`${agentBaseUrl(target)}${path}`, { headers: authHeaders(target), signal: agentCallSignal(target, signal) }, target);
          await discardBody(res);
          if (res.ok) return { healthy: true };
          error = `GET ${path} answered ${res.status}`;
        } catch (err) {
          error = (err as Error).message;
        }
      }
      return { healthy: false, error };
    },

    async listAgents(target, signal) {
      for (const path of LIST_PATHS) {
        const res = await agentFetch(`${agentBaseUrl(target)}${path}`, { headers: { accept: 'application/json', ...authHeaders(target) }, signal: agentCallSignal(target, signal) }, target);
        if (res.status === 404) {
          await discardBody(res);
          continue;
        }
        await ensureAgentOk(res);
        return parseAgentList(await readAgentJson(res, target));
      }
      return [defaultAgent(target)];
    },
  };
}

/** An agent API without a listing serves one agent: the configured one. */
const defaultAgent = (target: AgentTarget): AgentSummary => ({ id: target.agentId ?? 'default', name: target.agentId ?? 'Default agent' });
