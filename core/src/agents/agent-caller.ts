import { AgentCallError, isAgentCallError, type AgentReply, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
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

/** Exponential backoff with full jitter. */
export const backoffDelay = (attempt: number, policy: RetryPolicy, random = Math.random) =>
  Math.round(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));

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
        if (target.streaming && provider.stream) {
          let text = '';
          for await (const delta of provider.stream(target, request, signal)) text += delta;
          return { reply: { text }, attempts: attempt };
        }
        return { reply: await provider.call(target, request, signal), attempts: attempt };
      } catch (raw) {
        const err = isAgentCallError(raw) ? raw : signal.aborted ? AgentCallError.fromFetchFailure(Object.assign(new Error('timeout'), { name: 'TimeoutError' }), target.timeoutMs) : new AgentCallError('PROVIDER_ERROR', raw instanceof Error ? raw.message : String(raw), { retryable: false, cause: raw });
        if (!err.retryable || attempt >= this.policy.attempts) throw err;
        onRetry?.(attempt, err);
        await sleep(backoffDelay(attempt, this.policy));
      }
    }
  }
}
