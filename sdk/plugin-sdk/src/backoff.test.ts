import { describe, expect, it } from 'vitest';
import { reconnectDelay, reconnectingStatus } from './backoff.js';

const options = { initialMs: 1_000, maxMs: 30_000 };

describe('reconnectDelay', () => {
  it('multiplies the step per attempt up to the ceiling', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((a) => reconnectDelay(a, { ...options, jitter: 'none' }));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(reconnectDelay(100, { ...options, jitter: 'none' })).toBe(30_000);
  });

  it('uses the given factor', () => {
    expect([1, 2, 3].map((a) => reconnectDelay(a, { ...options, factor: 3, jitter: 'none' }))).toEqual([1_000, 3_000, 9_000]);
  });

  it('treats attempt 0 like the first attempt', () => {
    expect(reconnectDelay(0, { ...options, jitter: 'none' })).toBe(1_000);
  });

  it('defaults to equal jitter: between half and all of the step', () => {
    expect(reconnectDelay(3, options, () => 0)).toBe(2_000);
    expect(reconnectDelay(3, options, () => 0.5)).toBe(3_000);
    expect(reconnectDelay(3, options, () => 1)).toBe(4_000);
    expect(reconnectDelay(20, options, () => 0)).toBe(15_000);
  });

  it('full jitter spreads between zero and the step', () => {
    const full = { ...options, jitter: 'full' as const };
    expect(reconnectDelay(3, full, () => 0)).toBe(0);
    expect(reconnectDelay(3, full, () => 0.5)).toBe(2_000);
    expect(reconnectDelay(3, full, () => 1)).toBe(4_000);
  });

  it('no jitter ignores the random source', () => {
    expect(reconnectDelay(2, { ...options, jitter: 'none' }, () => 0)).toBe(2_000);
    expect(reconnectDelay(2, { ...options, jitter: 'none' }, () => 1)).toBe(2_000);
  });

  it('spreads instances that retry together when the random source is real', () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(5, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(8_000);
      expect(d).toBeLessThanOrEqual(16_000);
    }
  });
});

describe('reconnectingStatus', () => {
  it('reports the attempt, when the next one happens and the reason as retryable', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(reconnectingStatus(3, 2_500, { code: 'CONNECTION_LOST', message: 'socket closed' }, now)).toEqual({
      state: 'reconnecting',
      reconnect: { attempt: 3, nextAttemptAt: '2026-01-01T00:00:02.500Z' },
      error: { code: 'CONNECTION_LOST', message: 'socket closed', retryable: true },
    });
  });

  it('does not carry extra fields of the reason into the status', () => {
    const reason = { code: 'X', message: 'm', stack: 'secret-ish' } as { code: string; message: string };
    expect(reconnectingStatus(1, 0, reason, 0).error).toEqual({ code: 'X', message: 'm', retryable: true });
  });
});
