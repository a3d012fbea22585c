import { describe, expect, it } from 'vitest';
import { stripNul } from './strip-nul.js';

describe('stripNul', () => {
  it('removes NUL from every string, keys included, and leaves everything else alone', () => {
    const when = new Date(0);
    expect(stripNul({ text: 'a\u0000b', list: ['\u0000x', 1, null], nested: { 'k\u0000': 'v' }, when, ok: true })).toEqual({ text: 'ab', list: ['x', 1, null], nested: { k: 'v' }, when, ok: true });
    expect(stripNul('plain')).toBe('plain');
  });
});
