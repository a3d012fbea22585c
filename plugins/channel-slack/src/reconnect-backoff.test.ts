import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './reconnect-backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, scaled by the jitter', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, DEFAULT_BACKOFF, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 1)).toBe(60_000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2_000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(0);
  });
});
