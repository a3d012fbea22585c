import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '@omni/plugin-sdk';
import { MessagingWindow } from './messaging-window.js';

/** The kv service's contract over a Map (the kernel's store is exercised by the channel tests). */
function memoryStore(): KeyValueStore {
  const map = new Map<string, unknown>();
  const sorted = (prefix = '') => [...map.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b));
  return {
    get: async <T>(key: string) => map.get(key) as T | undefined,
    set: async (key, value) => void map.set(key, value),
    delete: async (key) => map.delete(key),
    list: async <T>(prefix?: string) => sorted(prefix).map(([key, value]) => ({ key, value: value as T })),
    deletePrefix: async (prefix) => sorted(prefix).filter(([k]) => map.delete(k)).length,
  };
}

const HOUR = 3_600_000;

describe('messaging window', () => {
  it('is closed until the customer writes, open for 24 hours after, then closed again', async () => {
    const window = new MessagingWindow(memoryStore());
    const wrote = new Date(Date.now() - HOUR);
    expect(await window.check('i1', '1555', wrote.getTime())).toEqual({ open: false });
    await window.customerWrote('i1', '1555', wrote);
    expect(await window.check('i1', '1555', wrote.getTime() + 23 * HOUR)).toEqual({ open: true, lastInboundAt: wrote });
    expect((await window.check('i1', '1555', wrote.getTime() + 24 * HOUR)).open).toBe(false);
    expect((await window.check('i2', '1555', wrote.getTime())).open).toBe(false);
  });

  it('never moves the last message time back, nor into the future', async () => {
    const window = new MessagingWindow(memoryStore());
    const recent = new Date(Date.now() - 1_000);
    await window.customerWrote('i1', '1555', recent);
    await window.customerWrote('i1', '1555', new Date(recent.getTime() - 30 * HOUR));
    expect((await window.check('i1', '1555')).lastInboundAt).toEqual(recent);
    await window.customerWrote('i1', '1666', new Date(Date.now() + 48 * HOUR));
    expect((await window.check('i1', '1666')).lastInboundAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('forgets one instance without touching another', async () => {
    const window = new MessagingWindow(memoryStore());
    await window.customerWrote('i1', '1555', new Date());
    await window.customerWrote('i10', '1555', new Date());
    expect(await window.forget('i1')).toBe(1);
    expect((await window.check('i1', '1555')).open).toBe(false);
    expect((await window.check('i10', '1555')).open).toBe(true);
  });
});
