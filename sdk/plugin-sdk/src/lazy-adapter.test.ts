import { describe, expect, it } from 'vitest';
import type { ChannelAdapter } from './channel.js';
import { lazyAdapter } from './lazy-adapter.js';

const implementation = (log: string[]): ChannelAdapter => ({
  connect: async (i) => void log.push(`connect ${i.id}`),
  disconnect: async (id) => void log.push(`disconnect ${id}`),
  send: async () => ({ ok: true, externalId: 'x1' }),
  edit: async (_id, ref) => ({ ok: true, externalId: ref.messageId }),
});

describe('lazyAdapter', () => {
  it('loads the implementation once, on first use, and forwards every listed method', async () => {
    const log: string[] = [];
    let loads = 0;
    const adapter = lazyAdapter(async () => (loads++, implementation(log)), ['edit']);
    expect(loads).toBe(0);
    expect(Object.keys(adapter).sort()).toEqual(['connect', 'disconnect', 'edit', 'send']);
    await adapter.connect({ id: 'i1' } as never);
    expect(await adapter.edit!('i1', { chatId: 'c', messageId: 'm7' }, 'hi')).toEqual({ ok: true, externalId: 'm7' });
    await adapter.disconnect('i1');
    expect(loads).toBe(1);
    expect(log).toEqual(['connect i1', 'disconnect i1']);
  });

  it('tries a failed load again, and names a listed method the implementation lacks', async () => {
    let attempt = 0;
    const adapter = lazyAdapter(async () => {
      if (++attempt === 1) throw new Error('native module missing');
      return implementation([]);
    }, ['typing']);
    await expect(adapter.send('i', { id: '1', to: 'x', content: { type: 'text', text: 'a' } })).rejects.toThrow('native module missing');
    expect(await adapter.send('i', { id: '1', to: 'x', content: { type: 'text', text: 'a' } })).toEqual({ ok: true, externalId: 'x1' });
    await expect(adapter.typing!('i', 'c', 'composing')).rejects.toThrow(/no 'typing' method/);
  });
});
