import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '@omni/plugin-sdk';
import { SessionStore } from './session-store.js';

/** The KeyValueStore contract over a Map, values round-tripped through JSON as the real store does. */
function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: async <T>(key: string) => (data.has(key) ? (JSON.parse(data.get(key)!) as T) : undefined),
    set: async (key, value) => void data.set(key, JSON.stringify(value)),
    delete: async (key) => data.delete(key),
    list: async <T>(prefix = '') => [...data.keys()].filter((k) => k.startsWith(prefix)).sort().map((key) => ({ key, value: JSON.parse(data.get(key)!) as T })),
    deletePrefix: async (prefix) => {
      const keys = [...data.keys()].filter((k) => k.startsWith(prefix));
      keys.forEach((k) => data.delete(k));
      return keys.length;
    },
  };
}

describe('SessionStore', () => {
  it('starts new creds, then restores them and the signal keys with their Buffers intact', async () => {
    const kv = memoryStore();
    const store = new SessionStore(kv);
    const first = await store.authState('inst-1');
    expect(first.isNew).toBe(true);
    first.state.creds.me = { id: '15551230000:7@s.whatsapp.net', name: 'Bot' };
    await first.saveCreds();
    await first.state.keys.set({ 'pre-key': { '1': { public: Buffer.from([1, 2, 3]), private: Buffer.from([4, 5, 6]) } } });

    const again = await store.authState('inst-1');
    expect(again.isNew).toBe(false);
    expect(again.state.creds.me).toEqual({ id: '15551230000:7@s.whatsapp.net', name: 'Bot' });
    expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).toBe(true);
    expect(Buffer.from(again.state.creds.noiseKey.private).equals(Buffer.from(first.state.creds.noiseKey.private))).toBe(true);
    const keys = await again.state.keys.get('pre-key', ['1', '2']);
    expect(Buffer.from(keys['1']!.private).equals(Buffer.from([4, 5, 6]))).toBe(true);
    expect(keys['2']).toBeUndefined();
  });

  it('deletes a key set to null', async () => {
    const store = new SessionStore(memoryStore());
    const { state } = await store.authState('inst-1');
    await state.keys.set({ session: { a: Buffer.from('x') } });
    await state.keys.set({ session: { a: null } });
    expect(await state.keys.get('session', ['a'])).toEqual({});
  });

  it('clears one instance without touching another, and lists linked sessions', async () => {
    const kv = memoryStore();
    const store = new SessionStore(kv);
    for (const id of ['a', 'b']) {
      const { saveCreds, state } = await store.authState(id);
      await saveCreds();
      await state.keys.set({ 'pre-key': { '1': { public: Buffer.from([1]), private: Buffer.from([2]) } } });
      await store.recordInfo(id, { phone: `+1555000000${id === 'a' ? 1 : 2}`, lastSeen: '2026-01-01T00:00:00.000Z' });
    }
    expect(await store.list((id) => id === 'b')).toEqual([
      { sessionId: 'a', phone: '+15550000001', connected: false, lastSeen: '2026-01-01T00:00:00.000Z' },
      { sessionId: 'b', phone: '+15550000002', connected: true, lastSeen: '2026-01-01T00:00:00.000Z' },
    ]);
    await store.clear('a');
    expect([...kv.data.keys()].some((k) => k.includes('/a/') || k.endsWith('/a'))).toBe(false);
    expect(await store.hasSession('a')).toBe(false);
    expect(await store.hasSession('b')).toBe(true);
    expect((await store.list(() => false)).map((s) => s.sessionId)).toEqual(['b']);
  });
});
