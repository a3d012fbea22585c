import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './json-depth.js';

const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown;

describe('JSON depth', () => {
  it('counts nesting of arrays and objects, not scalars', () => {
    expect(exceedsJsonDepth(nested(3), 3)).toBe(false);
    expect(exceedsJsonDepth(nested(4), 3)).toBe(true);
    expect(exceedsJsonDepth({ a: { b: { c: 1 } } }, 3)).toBe(false);
    expect(exceedsJsonDepth({ a: [{ b: { c: {} } }] }, 3)).toBe(true);
    expect(exceedsJsonDepth('text', 0)).toBe(false);
  });

  it('handles depths that would overflow a recursive walk', () => {
    expect(exceedsJsonDepth(nested(200_000))).toBe(true);
  });
});
