import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

const opts = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

describe('reconnectDelay', () => {
  it('doubles per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => reconnectDelay(a, opts, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('jitters within the upper half of the window', () => {
    expect(reconnectDelay(3, opts, () => 0)).toBe(2_000);
    expect(reconnectDelay(3, opts, () => 0.5)).toBe(3_000);
    const seen = new Set(Array.from({ length: 50 }, () => reconnectDelay(4, opts)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(4_000);
      expect(d).toBeLessThanOrEqual(8_000);
    }
  });
});
