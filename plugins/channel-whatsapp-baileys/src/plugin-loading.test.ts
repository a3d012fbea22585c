import { describe, expect, it } from 'vitest';

describe('baileys plugin loading', () => {
  it('offers exactly the methods its lazily loaded implementation has', async () => {
    const { BAILEYS_ADAPTER_METHODS, loadBaileysAdapter } = await import('./index.js');
    const memory = new Map<string, unknown>();
    const store = {
      get: async (k: string) => memory.get(k),
      set: async (k: string, v: unknown) => void memory.set(k, v),
      delete: async (k: string) => memory.delete(k),
      list: async () => [],
      deletePrefix: async () => 0,
    } as never;
    const implemented = Object.keys(await loadBaileysAdapter(store)).filter((k) => !['connect', 'disconnect', 'send'].includes(k));
    expect([...BAILEYS_ADAPTER_METHODS].sort()).toEqual(implemented.sort());
  });
});
