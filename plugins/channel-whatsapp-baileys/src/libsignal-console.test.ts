import { describe, expect, it } from 'vitest';
import { redactLibsignalConsole } from './libsignal-console.js';

describe('redactLibsignalConsole', () => {
  it('turns libsignal session dumps into one line without key material, and leaves other console calls alone', () => {
    const levels = ['log', 'info', 'warn', 'error'] as const;
    const originals = levels.map((level) => console[level]);
    const reached: unknown[][] = [];
    for (const level of levels) console[level] = (...args: unknown[]) => void reached.push(args);
    try {
      const lines: string[] = [];
      redactLibsignalConsole((line) => lines.push(line));
      console.info('Closing session:', { currentRatchet: { ephemeralKeyPair: { privKey: Buffer.from('secret-key-bytes') } } });
      console.warn('Session already open');
      console.log('an ordinary line', 42);
      expect(lines).toEqual(['libsignal: Closing session', 'libsignal: Session already open']);
      expect(reached).toEqual([['an ordinary line', 42]]);
    } finally {
      levels.forEach((level, i) => (console[level] = originals[i]!));
    }
  });
});
