import { agentFetch, agentBaseUrl, agentCallSignal, discardBody, ensureAgentOk, readAgentJson, AgentCallError, type AgentProvider, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import { authHeaders, runForm, runOutputText, runUrl } from './agno-api.js';
import { runTextDeltas } from './agno-stream.js';

/** Starts `POST /agents/{agentId}/runs`; resolves once the answer's status is known to be 2xx. */
async function startRun(target: AgentTarget, request: AgentRequest, signal: AbortSignal, stream: boolean): Promise<Response> {
  const res = await agentFetch(
    runUrl(agentBaseUrl(target), target),
    {
      method: 'POST',
      headers: { accept: stream ? 'text/event-stream' : 'application/json', ...authHeaders(target) },
      body: runForm(request, stream),
      signal: agentCallSignal(target, signal),
    },
    target,
  );
  await ensureAgentOk(res);
  return res;
}

/** Agno AgentOS agents: runs over `POST /agents/{agentId}/runs`, streamed as SSE when asked. */
export function createAgnoProvider(): AgentProvider {
  return {
    async call(target, request, signal) {
      const res = await startRun(target, request, signal, false);
      return { text: runOutputText(await readAgentJson(res, target)) };
    },

    async *stream(target, request, signal) {
      const res = await startRun(target, request, signal, true);
      if ((res.headers.get('content-type') ?? '').includes('application/json')) {
        // An AgentOS that answers a whole run despite stream=true: one delta.
        yield runOutputText(await readAgentJson(res, target));
        return;
      }
      if (!res.body) throw new AgentCallError('BAD_RESPONSE', 'Agno answered a stream without a body', { retryable: false });
      yield* runTextDeltas(res.body, target);
    },

    async health(target, signal) {
      try {
        const res = await agentFetch(`${agentBaseUrl(target)}/health`, { headers: authHeaders(target), signal: agentCallSignal(target, signal) }, target);
        await discardBody(res);
        return res.ok ? { healthy: true } : { healthy: false, error: `GET /health answered ${res.status}` };
      } catch (err) {
        return { healthy: false, error: (err as Error).message };
      }
    },

    async listAgents(target, signal) {
      const res = await agentFetch(`${agentBaseUrl(target)}/agents`, { headers: { accept: 'application/json', ...authHeaders(target) }, signal: agentCallSignal(target, signal) }, target);
      await ensureAgentOk(res);
      const body = await readAgentJson(res, target);
      if (!Array.isArray(body)) throw new AgentCallError('BAD_RESPONSE', 'GET /agents did not answer a list', { retryable: false });
      return body.flatMap((agent: unknown) => {
        const { id, agent_id, name, description } = (agent ?? {}) as Record<string, unknown>;
        const agentId = typeof id === 'string' && id ? id : typeof agent_id === 'string' && agent_id ? agent_id : undefined;
        if (!agentId) return [];
        return [{ id: agentId, name: typeof name === 'string' && name ? name : agentId, ...(typeof description === 'string' && description ? { description } : {}) }];
      });
    },
  };
}
