import { AgentCallError, type AgentTarget } from './agent.js';

// HTTP helpers for agent-provider plugins: one place for signals, fetch failures and status mapping.

/** `apiUrl` without trailing slashes, so paths can be appended. */
export const agentBaseUrl = (target: AgentTarget) => target.apiUrl.replace(/\/+$/, '');

/**
 * The hub's signal combined with the target's own timeout: the hub already aborts on timeout,
 * but a provider used on its own must not wait forever either.
 */
export const agentCallSignal = (target: AgentTarget, signal: AbortSignal) => AbortSignal.any([signal, AbortSignal.timeout(target.timeoutMs)]);

/** `fetch` whose failures (timeout, abort, refused connection) become AgentCallErrors. */
export async function agentFetch(url: string, init: RequestInit & { signal: AbortSignal }, target: AgentTarget): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    throw AgentCallError.fromFetchFailure(err, target.timeoutMs);
  }
}

/** Throws `AgentCallError.fromStatus` for a non-2xx answer. */
export async function ensureAgentOk(res: Response): Promise<void> {
  if (res.ok) return;
  const body = await res.text().catch(() => '');
  throw AgentCallError.fromStatus(res.status, body);
}

/** The body parsed as JSON; an unreadable body is a fetch failure, unparsable JSON a BAD_RESPONSE. */
export async function readAgentJson(res: Response, target: AgentTarget): Promise<unknown> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw AgentCallError.fromFetchFailure(err, target.timeoutMs);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentCallError('BAD_RESPONSE', `agent answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, { retryable: false, status: res.status });
  }
}

/** Frees the connection of a response whose body is not needed. */
export const discardBody = (res: Response) => res.body?.cancel().catch(() => undefined);
