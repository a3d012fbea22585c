import { DisconnectReason } from 'baileys';
import { describe, expect, it } from 'vitest';
import { backoffDelay, closeAction } from './reconnect-policy.js';

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

describe('backoffDelay', () => {
  const options = { initialDelayMs: 1_000, maxDelayMs: 30_000 };

  it('doubles per attempt between half and all of the exponential step', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(500);
    expect(backoffDelay(1, options, () => 1)).toBe(1_000);
    expect(backoffDelay(2, options, () => 0)).toBe(1_000);
    expect(backoffDelay(4, options, () => 1)).toBe(8_000);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(40, options, () => 1)).toBe(30_000);
    expect(backoffDelay(40, options, () => 0)).toBe(15_000);
  });

  it('spreads instances that fail together', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(3, options)));
    expect(delays.size).toBeGreaterThan(1);
  });
});
