import type { ContentType } from './capabilities.js';
import type { ChatType, Media } from './messages.js';

/** What the hub asks an agent: one (possibly merged) user turn with who, where and which session. */
export interface AgentRequest {
  /** The user's text; a debounced burst arrives as its messages joined by newlines, in order. */
  message: string;
  messageType: ContentType;
  /** Stable per the instance's session strategy (per user, per chat, or per user per chat). */
  sessionId: string;
  /** Human-readable session name (e.g. `whatsapp-main_+15550001`). */
  sessionName: string;
  /** The person id: the same human across channels. */
  userId: string;
  user: { name?: string; phone?: string; email?: string; platformUserId: string };
  instance: { id: string; name: string; channel: string };
  chat: { id: string; type: ChatType; threadId?: string };
  media?: Media[];
  /** Extra context for the agent (reply-to text, mentions, …). */
  context: Record<string, unknown>;
}

/** Where and how to reach the agent, from the instance's config or its shared provider. */
export interface AgentTarget {
  apiUrl: string;
  apiKey?: string;
  agentId?: string;
  timeoutMs: number;
  streaming: boolean;
  metadata?: Record<string, unknown>;
}

export interface AgentReply {
  text: string;
  media?: Media[];
  actions?: unknown[];
}

/**
 * A failed agent call. `retryable` decides whether the hub tries again (timeouts, network
 * errors and 5xx: yes; 4xx: no).
 */
export class AgentCallError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly status?: number;

  constructor(code: string, message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentCallError';
    this.code = code;
    this.retryable = options.retryable;
    this.status = options.status;
  }

  /** The error for an HTTP answer that was not 2xx. */
  static fromStatus(status: number, body: string): AgentCallError {
    return new AgentCallError(`HTTP_${status}`, `agent answered ${status}${body ? `: ${body.slice(0, 300)}` : ''}`, {
      status,
      retryable: status >= 500 || status === 429 || status === 408,
    });
  }

  /** The error for a fetch that threw (timeout, abort, refused connection). */
  static fromFetchFailure(err: unknown, timeoutMs: number): AgentCallError {
    const name = (err as { name?: string }).name;
    if (name === 'TimeoutError') return new AgentCallError('TIMEOUT', `agent did not answer within ${timeoutMs} ms`, { retryable: true, cause: err });
    if (name === 'AbortError') return new AgentCallError('ABORTED', 'agent call aborted', { retryable: false, cause: err });
    return new AgentCallError('NETWORK_ERROR', `could not reach the agent: ${(err as Error)?.message ?? String(err)}`, { retryable: true, cause: err });
  }
}

export const isAgentCallError = (err: unknown): err is AgentCallError =>
  err instanceof AgentCallError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AgentCallError');

/**
 * An agent-provider plugin's implementation. One provider serves every instance and shared
 * provider record of its `type`. Calls get a signal that aborts on the target's timeout.
 */
export interface AgentProvider {
  /** The whole reply. Throw AgentCallError on failure. */
  call(target: AgentTarget, request: AgentRequest, signal: AbortSignal): Promise<AgentReply>;
  /** Streams the reply as text deltas; the hub uses it when the target asks for streaming. */
  stream?(target: AgentTarget, request: AgentRequest, signal: AbortSignal): AsyncIterable<string>;
  health?(target: AgentTarget, signal: AbortSignal): Promise<{ healthy: boolean; error?: string }>;
  listAgents?(target: AgentTarget, signal: AbortSignal): Promise<Array<{ id: string; name: string; description?: string }>>;
}

/** Static description of the provider type an agent-provider plugin brings. */
export interface AgentProviderDescriptor {
  /** The type used by provider records and instances: `agent_api`, `agno`, `webhook`. */
  type: string;
  name: string;
  description: string;
}
