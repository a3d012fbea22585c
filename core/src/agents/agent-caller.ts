import { AgentCallError, isAgentCallError, reconnectDelay, type AgentReply, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import type { AgentProviderRegistry } from '../kernel/agent-provider-registry.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };

export interface AgentCallResult {
  reply: AgentReply;
  attempts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exponential backoff with full jitter (the SDK's backoff, shared with channel reconnects). */
export const backoffDelay = (attempt: number, policy: RetryPolicy, random = Math.random) =>
  reconnectDelay(attempt, { initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 'full' }, random);

/** Settles like `promise`, or rejects once `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined); // a late rejection of the abandoned call is not unhandled
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** Reads a stream to the end; each delta must arrive before `signal` aborts. The stream is closed either way. */
async function collect(stream: AsyncIterable<string>, signal: AbortSignal): Promise<string> {
  const iterator = stream[Symbol.asyncIterator]();
  let text = '';
  try {
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) return text;
      text += next.value;
    }
  } finally {
    // Not awaited: a generator stuck in an await would never finish returning.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/**
 * Calls an agent through the provider plugin of its type. Each attempt gets the target's
 * timeout; retryable failures (timeouts, network errors, 5xx) are tried again with backoff,
 * others (4xx, bad responses) fail at once. Streaming targets are read to the end.
 */
export class AgentCaller {
  constructor(
    private readonly providers: AgentProviderRegistry,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async call(type: string, target: AgentTarget, request: AgentRequest, onRetry?: (attempt: number, err: AgentCallError) => void): Promise<AgentCallResult> {
    const registered = this.providers.get(type);
    if (!registered) {
      throw new AgentCallError('PROVIDER_UNAVAILABLE', `no running agent-provider plugin for type '${type}' (running: ${this.providers.list().map((p) => p.descriptor.type).join(', ') || 'none'})`, { retryable: false });
    }
    const { provider } = registered;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(target.timeoutMs);
      try {
        // Raced against the attempt's signal: a provider that ignores it cannot hang the turn.
        if (target.streaming && provider.stream) return { reply: { text: await collect(provider.stream(target, request, signal), signal) }, attempts: attempt };
        return { reply: await untilAborted(provider.call(target, request, signal), signal), attempts: attempt };
      } catch (raw) {
        // Once the attempt's own timeout fired, an abort (or anything not an AgentCallError) is that timeout.
        const timedOut = signal.aborted && !(isAgentCallError(raw) && raw.code !== 'ABORTED');
        const err = timedOut
          ? AgentCallError.fromFetchFailure(Object.assign(new Error('timeout'), { name: 'TimeoutError' }), target.timeoutMs)
          : isAgentCallError(raw)
            ? raw
            : new AgentCallError('PROVIDER_ERROR', raw instanceof Error ? raw.message : String(raw), { retryable: false, cause: raw });
        if (!err.retryable || attempt >= this.policy.attempts) throw err;
        onRetry?.(attempt, err);
        await sleep(backoffDelay(attempt, this.policy));
      }
    }
  }
}
