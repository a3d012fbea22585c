import { describe, expect, it } from 'vitest';
import { chunkText } from './text-chunks.js';

describe('chunkText', () => {
  it('keeps short text whole', () => {
    expect(chunkText('hello', 4096)).toEqual(['hello']);
  });

  it('splits at the limit on word boundaries and loses no words', () => {
    const words = Array.from({ length: 2_000 }, (_, i) => `word${i}`);
    const chunks = chunkText(words.join(' '), 4096);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 4096)).toBe(true);
    expect(chunks.join(' ').split(' ')).toEqual(words);
  });

  it('prefers paragraph breaks', () => {
    expect(chunkText(`${'a'.repeat(60)}\n\n${'b'.repeat(30)}`, 80)).toEqual(['a'.repeat(60), 'b'.repeat(30)]);
  });

  it('cuts text without spaces hard, never inside a surrogate pair', () => {
    const chunks = chunkText(`${'x'.repeat(9)}😀😀`, 10);
    expect(chunks).toEqual(['x'.repeat(9), '😀😀']);
    expect(chunkText('y'.repeat(25), 10)).toEqual(['y'.repeat(10), 'y'.repeat(10), 'y'.repeat(5)]);
  });
});
