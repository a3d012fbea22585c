import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './reconnect-policy.js';

const options = { initialDelayMs: 1_000, maxDelayMs: 30_000 };

describe('reconnectDelayMs', () => {
  it('doubles each attempt, between half and all of the step', () => {
    expect([1, 2, 3, 4].map((a) => reconnectDelayMs(a, options, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((a) => reconnectDelayMs(a, options, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never exceeds the ceiling', () => {
    expect(reconnectDelayMs(20, options, () => 1)).toBe(30_000);
    expect(reconnectDelayMs(20, options, () => 0)).toBe(15_000);
  });

  it('spreads instances that retry together (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(5, options)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
