import { AgentCallError, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';

/*
 * The Agno AgentOS API facts this provider relies on, and where they come from:
 *
 * - Run an agent: `POST /agents/{agent_id}/runs` with form fields (urlencoded or multipart)
 *   `message` (required), `stream`, `session_id`, `user_id` (also `files`, `version`,
 *   `background`; unknown fields become run kwargs).
 *   docs.agno.com/agent-os/using-the-api (curl example with x-www-form-urlencoded);
 *   agno-agi/agno libs/agno/agno/os/routers/agents/router.py, `create_agent_run`.
 * - `stream` defaults to TRUE on the server (`stream: bool = Form(True)`), so a plain call must
 *   send `stream=false` explicitly. FastAPI parses `true`/`false` form values as booleans.
 *   Same router.py.
 * - Non-streaming answers the run's `RunOutput.to_dict()` as JSON: `content` (a string, or an
 *   object for structured output), `content_type`, `status` (`COMPLETED`, `ERROR`, `PAUSED`, …),
 *   `run_id`, `session_id`, … Same router.py; status values from agno/run/base.py `RunStatus`.
 * - Streaming answers `text/event-stream`, one event per run event, written by
 *   `format_sse_event` as `event: <EventName>\ndata: <compact JSON>\n\n` where the JSON carries
 *   the same name in `event`. agno-agi/agno libs/agno/agno/os/utils.py.
 * - Event names (agno 2.x, libs/agno/agno/run/agent.py `RunEvent`): `RunStarted`, `RunContent`
 *   ("Main event for each delta of the RunOutput": `content` is the next piece of text),
 *   `RunContentCompleted`, `RunCompleted` (`content` is the whole answer), `RunError` (`content`
 *   is the error message; exceptions during a run are sent this way with HTTP 200),
 *   `RunCancelled`, plus tool/reasoning/memory events that carry no answer text. Agno 1.x named
 *   the delta event `RunResponseContent` (libs/agno/agno/run/response.py), older still `RunResponse`.
 *   Durable queued streams may send `event: error` with `{"event":"error","error":"..."}` and
 *   `: keepalive` comments (router.py `queued_run_tail_streamer`).
 * - `GET /agents` lists the agents as `AgentResponse` objects: `id`, `name`, `description`, …
 *   (libs/agno/agno/os/routers/agents/schema.py). `GET /health` answers
 *   `{"status":"ok","instantiated_at":…}` (libs/agno/agno/os/routers/health.py) and is exempt
 *   from authentication (docs.agno.com/features/security-and-auth).
 * - Authentication: with `OS_SECURITY_KEY` set, every route requires
 *   `Authorization: Bearer <key>`; 401 otherwise (docs.agno.com/agent-os/security,
 *   docs.agno.com/reference-api/overview).
 */

export const CONTENT_EVENTS: ReadonlySet<string> = new Set(['RunContent', 'RunResponseContent', 'RunResponse']);
export const COMPLETED_EVENT = 'RunCompleted';
export const ERROR_EVENTS: ReadonlySet<string> = new Set(['RunError', 'error']);
export const CANCELLED_EVENT = 'RunCancelled';

export function runUrl(base: string, target: AgentTarget): string {
  if (!target.agentId) {
    throw new AgentCallError('MISSING_AGENT_ID', 'an Agno target needs agentId: the id of the AgentOS agent to run', { retryable: false });
  }
  return `${base}/agents/${encodeURIComponent(target.agentId)}/runs`;
}

export const runForm = (request: AgentRequest, stream: boolean) =>
  new URLSearchParams({ message: request.message, stream: String(stream), session_id: request.sessionId, user_id: request.userId });

export const authHeaders = (target: AgentTarget): Record<string, string> => (target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {});

/** A run's `content` as reply text: strings as they are, structured output as JSON. */
export function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (content !== null && typeof content === 'object') return JSON.stringify(content);
  return undefined;
}

/** The error for a run Agno reports as failed (`RunError` or status `ERROR`): like a 5xx, worth another try. */
export const runFailed = (content: unknown) =>
  new AgentCallError('AGENT_ERROR', `Agno run failed: ${typeof content === 'string' && content ? content.slice(0, 300) : 'no details'}`, { retryable: true });

/** The reply text of a non-streaming run (`RunOutput.to_dict()`). */
export function runOutputText(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AgentCallError('BAD_RESPONSE', 'Agno answered something other than a run object', { retryable: false });
  }
  const { content, status } = body as { content?: unknown; status?: unknown };
  if (status === 'ERROR') throw runFailed(content);
  const text = contentText(content);
  if (text === undefined) {
    throw new AgentCallError('BAD_RESPONSE', `Agno run ended without content (status ${String(status ?? 'unknown')})`, { retryable: false });
  }
  return text;
}
