import { DisconnectReason } from 'baileys';
import { describe, expect, it } from 'vitest';
import { baileysInstanceConfig } from './instance-config.js';
import { closeAction, reconnectStep } from './reconnect-policy.js';

describe('closeAction', () => {
  it.each([
    [DisconnectReason.loggedOut, 'logged_out'],
    [403, 'logged_out'],
    [DisconnectReason.connectionReplaced, 'replaced'],
    [DisconnectReason.restartRequired, 'restart'],
    [DisconnectReason.connectionClosed, 'backoff'],
    [DisconnectReason.timedOut, 'backoff'],
    [DisconnectReason.badSession, 'backoff'],
    [503, 'backoff'],
    [undefined, 'backoff'],
  ] as const)('maps %s to %s', (code, action) => {
    expect(closeAction(code)).toBe(action);
  });
});

describe('reconnectStep', () => {
  const defaults = baileysInstanceConfig.parse({}).reconnect;
  const lost = { code: 'CONNECTION_LOST', message: 'socket closed (428)' };
  const now = Date.parse('2026-01-01T00:00:00.000Z');
  const delayOf = (attempt: number, random: number, options = defaults) => {
    const step = reconnectStep(attempt, options, lost, () => random, now);
    if (step.giveUp) throw new Error(`gave up at attempt ${attempt}`);
    return step.delayMs;
  };

  it('with the default settings: doubles from 2 s, each wait between half and all of the step, capped at 5 minutes', () => {
    expect(defaults).toEqual({ initialDelayMs: 2_000, maxDelayMs: 300_000, maxAttempts: 0 });
    expect([1, 2, 3, 4].map((a) => delayOf(a, 0))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((a) => delayOf(a, 1))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(delayOf(40, 1)).toBe(300_000);
    expect(delayOf(40, 0)).toBe(150_000);
  });

  it('reports reconnecting with the attempt, when it will be made, and the reason as retryable', () => {
    const step = reconnectStep(3, defaults, lost, () => 0.5, now);
    expect(step).toEqual({
      giveUp: false,
      delayMs: 6_000,
      status: {
        state: 'reconnecting',
        reconnect: { attempt: 3, nextAttemptAt: '2026-01-01T00:00:06.000Z' },
        error: { code: 'CONNECTION_LOST', message: 'socket closed (428)', retryable: true },
      },
    });
  });

  it('never gives up by default', () => {
    expect(reconnectStep(10_000, defaults, lost, () => 0, now).giveUp).toBe(false);
  });

  it('gives up after maxAttempts, saying so in an error status', () => {
    const options = { ...defaults, maxAttempts: 3 };
    expect([1, 2, 3].map((a) => reconnectStep(a, options, lost, () => 0, now).giveUp)).toEqual([false, false, false]);
    expect(reconnectStep(4, options, lost, () => 0, now)).toEqual({
      giveUp: true,
      status: { state: 'error', error: { code: 'CONNECTION_LOST', message: 'gave up after 3 reconnect attempts; last: socket closed (428)', retryable: true } },
    });
  });

  it('spreads instances that lose the connection together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => reconnectStep(3, defaults, lost, Math.random, now).status.reconnect?.nextAttemptAt));
    expect(delays.size).toBeGreaterThan(1);
  });
});
