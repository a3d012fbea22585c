import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '@omni/plugin-sdk';
import { HookBus } from './hook-bus.js';

const message = { externalId: 'x', chatId: 'c', chatType: 'dm', sender: { id: 's' }, content: { type: 'text', text: 'hello' }, ingestMode: 'realtime' } satisfies InboundMessage;
const context = { instanceId: 'i', channel: 'webhook', eventId: 'e', traceId: 't' };

describe('HookBus', () => {
  it('runs serial handlers in order, lower order first, then registration order', async () => {
    const bus = new HookBus();
    const calls: string[] = [];
    bus.add('a', 'server.ready', () => void calls.push('a0'));
    bus.add('b', 'server.ready', () => void calls.push('b-10'), { order: -10 });
    bus.add('c', 'server.ready', () => void calls.push('c0'));
    bus.add('d', 'server.ready', () => void calls.push('d5'), { order: 5 });
    await bus.callSerial('server.ready', { url: 'http://x' });
    expect(calls).toEqual(['b-10', 'a0', 'c0', 'd5']);
  });

  it('passes each waterfall result to the next handler', async () => {
    const bus = new HookBus();
    bus.add('upper', 'message.inbound', (v) => ({ ...v, message: { ...v.message, content: { type: 'text', text: (v.message.content as { text: string }).text.toUpperCase() } } }));
    bus.add('bang', 'message.inbound', (v) => ({ ...v, message: { ...v.message, content: { type: 'text', text: `${(v.message.content as { text: string }).text}!` } } }), { order: 1 });
    const out = await bus.callWaterfall('message.inbound', { message, context });
    expect(out.message.content).toEqual({ type: 'text', text: 'HELLO!' });
    expect(message.content.text).toBe('hello');
  });

  it('refuses a waterfall handler that forgets to return, naming its owner', async () => {
    const bus = new HookBus();
    bus.add('careless', 'message.inbound', (() => undefined) as never);
    await expect(bus.callWaterfall('message.inbound', { message, context })).rejects.toThrow(/careless/);
  });

  it('stops a bail call at the first verdict', async () => {
    const bus = new HookBus();
    const seen: string[] = [];
    bus.add('pass', 'message.access', () => void seen.push('pass'));
    bus.add('veto', 'message.access', () => (seen.push('veto'), { allowed: false, reason: 'blocked word' }));
    bus.add('late', 'message.access', () => (seen.push('late'), { allowed: true, reason: 'too late' }));
    expect(await bus.callBail('message.access', { message, context })).toEqual({ allowed: false, reason: 'blocked word' });
    expect(seen).toEqual(['pass', 'veto']);
  });

  it('returns undefined from a bail call nobody answers', async () => {
    expect(await new HookBus().callBail('message.access', { message, context })).toBeUndefined();
  });

  it('removes every handler of an owner, and single handlers by their unregister function', async () => {
    const bus = new HookBus();
    const calls: string[] = [];
    bus.add('p1', 'server.ready', () => void calls.push('p1a'));
    bus.add('p1', 'kernel.stopping', () => void calls.push('p1b'));
    const off = bus.add('p2', 'server.ready', () => void calls.push('p2'));
    bus.add('p3', 'server.ready', () => void calls.push('p3'));
    expect(bus.removeOwner('p1')).toBe(2);
    off();
    await bus.callSerial('server.ready', { url: '' });
    await bus.callSerial('kernel.stopping', {});
    expect(calls).toEqual(['p3']);
  });

  it('propagates a throwing serial handler and skips the rest', async () => {
    const bus = new HookBus();
    const calls: string[] = [];
    bus.add('bad', 'server.ready', () => {
      throw new Error('boom');
    });
    bus.add('after', 'server.ready', () => void calls.push('after'));
    await expect(bus.callSerial('server.ready', { url: '' })).rejects.toThrow('boom');
    expect(calls).toEqual([]);
  });
});
