import { Agent, request } from 'undici';
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

/**
 * Kept-alive connections to agents for `agentPostJson`. undici's `request` rather than `fetch`:
 * fetch's WHATWG layer (Request/Response objects, web streams, combined abort signals) was the
 * largest block of hub CPU per message in the pipeline benchmark's profile.
 */
const agentPool = new Agent({ keepAliveTimeout: 30_000 });

/** undici's own timeouts, reported as the fetch-style TimeoutError that `fromFetchFailure` knows. */
const asFetchFailure = (err: unknown): unknown => {
  const code = (err as { code?: string }).code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? Object.assign(new Error('timeout', { cause: err }), { name: 'TimeoutError' }) : err;
};

/**
 * The hot path of a JSON agent: `POST url` with `body` as JSON and the answer parsed as JSON.
 * Failures become AgentCallErrors as with `agentFetch` + `ensureAgentOk` + `readAgentJson`:
 * no answer within `target.timeoutMs` (or `signal` aborting) is TIMEOUT/ABORTED, a refused
 * connection NETWORK_ERROR, a non-2xx answer `HTTP_<status>`, a body that is not JSON BAD_RESPONSE.
 */
export async function agentPostJson(url: string, body: unknown, headers: Record<string, string>, target: AgentTarget, signal: AbortSignal): Promise<unknown> {
  let status: number;
  let text: string;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      dispatcher: agentPool,
      signal,
      // The hub's signal already ends the call on time; these keep a provider used alone from waiting forever.
      headersTimeout: target.timeoutMs,
      bodyTimeout: target.timeoutMs,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    throw AgentCallError.fromFetchFailure(asFetchFailure(err), target.timeoutMs);
  }
  if (status < 200 || status >= 300) throw AgentCallError.fromStatus(status, text);
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentCallError('BAD_RESPONSE', `agent answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`, { retryable: false, status });
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
