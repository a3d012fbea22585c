import { describe, expect, it } from 'vitest';
import { AgentCallError, definePlugin, type AgentProvider, type AgentRequest, type AgentTarget } from '@omni/plugin-sdk';
import { AgentProviderRegistry } from '../kernel/agent-provider-registry.js';
import { AgentCaller, DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './agent-caller.js';

/** Tiny delays: the retry logic is what is under test, not the clock. */
const FAST: RetryPolicy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };

const request: AgentRequest = {
  message: 'hi',
  messageType: 'text',
  sessionId: 'inst:chat:person',
  sessionName: 'main_+1555',
  userId: 'person',
  user: { platformUserId: '+1555' },
  instance: { id: 'inst', name: 'main', channel: 'webhook' },
  chat: { id: 'chat', type: 'dm' },
  context: {},
};
const target = (extra: Partial<AgentTarget> = {}): AgentTarget => ({ apiUrl: 'http://agent.invalid', timeoutMs: 2_000, streaming: false, ...extra });

/** A registry holding one provider of type `fake`, registered the way the kernel does. */
async function registryWith(provider: AgentProvider, type = 'fake') {
  const registry = new AgentProviderRegistry();
  const plugin = definePlugin({
    id: `agent-${type}`,
    version: '1.0.0',
    kind: 'agent-provider',
    compat: { sdk: '^1.0.0' },
    provider: { type, name: 'Fake', description: 'test provider' },
    setup: () => ({ provider }),
  });
  expect(await registry.register(plugin, { provider })).toBeUndefined();
  return registry;
}

/** A provider whose call() answers with the next scripted outcome (an error is thrown). */
function scripted(outcomes: Array<string | Error>) {
  const calls: AgentTarget[] = [];
  const provider: AgentProvider = {
    async call(t) {
      calls.push(t);
      const next = outcomes[calls.length - 1] ?? new Error('script exhausted');
      if (next instanceof Error) throw next;
      return { text: next };
    },
  };
  return { provider, calls };
}

const retryable = (n: number) => new AgentCallError('HTTP_503', `overloaded #${n}`, { retryable: true, status: 503 });
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as AgentCallError,
  );

describe('AgentCaller', () => {
  it('answers on the first attempt when the provider does', async () => {
    const { provider, calls } = scripted(['hello']);
    const caller = new AgentCaller(await registryWith(provider), FAST);
    await expect(caller.call('fake', target(), request)).resolves.toEqual({ reply: { text: 'hello' }, attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('retries a retryable error and returns the later success', async () => {
    const { provider, calls } = scripted([retryable(1), 'second time lucky']);
    const retries: Array<[number, string]> = [];
    const caller = new AgentCaller(await registryWith(provider), FAST);
    const result = await caller.call('fake', target(), request, (attempt, err) => retries.push([attempt, err.message]));
    expect(result).toEqual({ reply: { text: 'second time lucky' }, attempts: 2 });
    expect(calls).toHaveLength(2);
    expect(retries).toEqual([[1, 'overloaded #1']]);
  });

  it('gives up after the policy attempts (3) and throws the last error', async () => {
    const { provider, calls } = scripted([retryable(1), retryable(2), retryable(3), 'never reached']);
    const retries: number[] = [];
    const caller = new AgentCaller(await registryWith(provider), FAST);
    const err = await rejection(caller.call('fake', target(), request, (attempt) => retries.push(attempt)));
    expect(err).toBeInstanceOf(AgentCallError);
    expect(err).toMatchObject({ code: 'HTTP_503', message: 'overloaded #3', retryable: true });
    expect(calls).toHaveLength(3);
    expect(retries).toEqual([1, 2]);
  });

  it('uses 3 attempts by default', () => {
    expect(DEFAULT_RETRY.attempts).toBe(3);
  });

  it('never retries a non-retryable error', async () => {
    const { provider, calls } = scripted([new AgentCallError('HTTP_401', 'bad key', { retryable: false, status: 401 }), 'never reached']);
    const caller = new AgentCaller(await registryWith(provider), FAST);
    expect(await rejection(caller.call('fake', target(), request))).toMatchObject({ code: 'HTTP_401', retryable: false });
    expect(calls).toHaveLength(1);
  });

  it('treats a plain error thrown by a provider as a non-retryable PROVIDER_ERROR', async () => {
    const { provider, calls } = scripted([new TypeError('provider bug'), 'never reached']);
    const caller = new AgentCaller(await registryWith(provider), FAST);
    expect(await rejection(caller.call('fake', target(), request))).toMatchObject({ code: 'PROVIDER_ERROR', message: 'provider bug', retryable: false });
    expect(calls).toHaveLength(1);
  });

  it("turns a provider that ignores the abort signal and hangs into a TIMEOUT after each attempt's timeout", async () => {
    let calls = 0;
    const signals: AbortSignal[] = [];
    const hanging: AgentProvider = {
      call: (_t, _r, signal) => {
        calls++;
        signals.push(signal);
        return new Promise(() => undefined);
      },
    };
    const caller = new AgentCaller(await registryWith(hanging), FAST);
    const err = await rejection(caller.call('fake', target({ timeoutMs: 100 }), request));
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(err.message).toContain('100 ms');
    expect(calls).toBe(3);
    // Each attempt had its own signal, and each one was aborted.
    expect(new Set(signals).size).toBe(3);
    expect(signals.every((s) => s.aborted)).toBe(true);
  }, 5_000);

  it('reports a TIMEOUT, not ABORTED, when a provider gives up because the attempt signal fired', async () => {
    let calls = 0;
    const obedient: AgentProvider = {
      call: (_t, _r, signal) =>
        new Promise((_resolve, reject) => {
          calls++;
          signal.addEventListener('abort', () => reject(new AgentCallError('ABORTED', 'agent call aborted', { retryable: false })));
        }),
    };
    const caller = new AgentCaller(await registryWith(obedient), FAST);
    expect(await rejection(caller.call('fake', target({ timeoutMs: 100 }), request))).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(calls).toBe(3);
  }, 5_000);

  it('collects the deltas of stream() for a streaming target, and does not call call()', async () => {
    let called = 0;
    const streaming: AgentProvider = {
      call: async () => {
        called++;
        return { text: 'whole' };
      },
      async *stream() {
        yield 'Hel';
        yield 'lo, ';
        yield 'world';
      },
    };
    const caller = new AgentCaller(await registryWith(streaming), FAST);
    await expect(caller.call('fake', target({ streaming: true }), request)).resolves.toEqual({ reply: { text: 'Hello, world' }, attempts: 1 });
    expect(called).toBe(0);
    // A non-streaming target uses call().
    await expect(caller.call('fake', target(), request)).resolves.toMatchObject({ reply: { text: 'whole' } });
    expect(called).toBe(1);
  });

  it('falls back to call() for a streaming target when the provider cannot stream', async () => {
    const { provider, calls } = scripted(['no stream here']);
    const caller = new AgentCaller(await registryWith(provider), FAST);
    await expect(caller.call('fake', target({ streaming: true }), request)).resolves.toMatchObject({ reply: { text: 'no stream here' } });
    expect(calls).toHaveLength(1);
  });

  it('retries a stream that fails with a retryable error, starting the text over', async () => {
    let attempt = 0;
    const flaky: AgentProvider = {
      call: async () => ({ text: 'unused' }),
      async *stream() {
        attempt++;
        yield `partial ${attempt} `;
        if (attempt === 1) throw new AgentCallError('NETWORK_ERROR', 'connection reset', { retryable: true });
        yield 'done';
      },
    };
    const caller = new AgentCaller(await registryWith(flaky), FAST);
    await expect(caller.call('fake', target({ streaming: true }), request)).resolves.toEqual({ reply: { text: 'partial 2 done' }, attempts: 2 });
  });

  it('times out a stream that stops yielding and ignores the signal', async () => {
    let attempts = 0;
    const stalled: AgentProvider = {
      call: async () => ({ text: 'unused' }),
      async *stream() {
        attempts++;
        yield 'first words ';
        await new Promise(() => undefined);
      },
    };
    const caller = new AgentCaller(await registryWith(stalled), FAST);
    expect(await rejection(caller.call('fake', target({ streaming: true, timeoutMs: 100 }), request))).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(attempts).toBe(3);
  }, 5_000);

  it('refuses an unknown provider type with PROVIDER_UNAVAILABLE, not retryable, naming the running types', async () => {
    const { provider, calls } = scripted(['unused']);
    const caller = new AgentCaller(await registryWith(provider), FAST);
    const err = await rejection(caller.call('agno', target(), request));
    expect(err).toBeInstanceOf(AgentCallError);
    expect(err).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: false });
    expect(err.message).toContain("'agno'");
    expect(err.message).toContain('fake');
    expect(calls).toHaveLength(0);
  });
});

describe('backoffDelay', () => {
  const policy: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1_000 };

  it('is full jitter: between 0 and base * 2^(attempt-1)', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(2, policy, () => 1)).toBe(200);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });

  it('never exceeds maxDelayMs, however many attempts', () => {
    expect(backoffDelay(5, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(60, policy, () => 1)).toBe(1_000);
    expect(backoffDelay(2_000, policy, () => 1)).toBe(1_000);
  });

  it('stays within bounds with the real random source', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, policy);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });
});
