import { describe, expect, it } from 'vitest';
import { splitReply } from './split-reply.js';

describe('splitReply', () => {
  it('splits on blank lines when auto-split is on, and not otherwise', () => {
    const text = 'First part.\n\nSecond part\nstill second.\n \n\nThird.';
    expect(splitReply(text, { autoSplit: true, maxLength: 100 })).toEqual(['First part.', 'Second part\nstill second.', 'Third.']);
    expect(splitReply(text, { autoSplit: false, maxLength: 100 })).toEqual([text]);
  });

  it('never exceeds the channel limit, preferring line, sentence and word breaks', () => {
    const text = 'One sentence here. Another sentence follows! And a third one? Yes.';
    const parts = splitReply(text, { autoSplit: false, maxLength: 30 });
    expect(parts.every((p) => p.length <= 30)).toBe(true);
    expect(parts[0]).toBe('One sentence here.');
    expect(parts.join(' ')).toBe(text);
  });

  it('cuts unbreakable text hard without splitting a surrogate pair', () => {
    const text = `${'a'.repeat(9)}😀${'b'.repeat(5)}`;
    const parts = splitReply(text, { autoSplit: false, maxLength: 10 });
    expect(parts).toEqual(['a'.repeat(9), `😀${'b'.repeat(5)}`]);
  });

  it('returns nothing for a blank reply', () => {
    expect(splitReply('  \n\n ', { autoSplit: true, maxLength: 10 })).toEqual([]);
  });

  it('respects a 2000-character limit on a long reply (Discord)', () => {
    const words = Array.from({ length: 1000 }, (_, i) => `word${i}`).join(' ');
    const parts = splitReply(words, { autoSplit: true, maxLength: 2000 });
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.every((p) => p.length <= 2000)).toBe(true);
    expect(parts.join(' ')).toBe(words);
  });
});
