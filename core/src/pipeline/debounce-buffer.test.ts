import { describe, expect, it } from 'vitest';
import { DebounceBuffer, type DebounceSettings } from './debounce-buffer.js';

const fixed = (ms: number, maxWaitMs = 10_000): DebounceSettings => ({ mode: 'fixed', ms, minMs: 0, maxMs: 0, maxWaitMs });

function recorder() {
  const batches: Array<{ key: string; items: string[] }> = [];
  const waiters: Array<() => void> = [];
  const buffer = new DebounceBuffer<string>(
    async (key, items) => {
      batches.push({ key, items });
      waiters.splice(0).forEach((w) => w());
    },
    (err) => {
      throw err;
    },
  );
  const waitForBatches = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (batches.length >= n ? resolve() : waiters.push(check));
      check();
    });
  return { buffer, batches, waitForBatches };
}

describe('DebounceBuffer', () => {
  it('hands a burst over once, with every message in order', async () => {
    const { buffer, batches, waitForBatches } = recorder();
    for (const m of ['a', 'b', 'c', 'd', 'e']) buffer.add('chat-1', m, fixed(40));
    await waitForBatches(1);
    expect(batches).toEqual([{ key: 'chat-1', items: ['a', 'b', 'c', 'd', 'e'] }]);
  });

  it('keeps chats apart', async () => {
    const { buffer, batches, waitForBatches } = recorder();
    buffer.add('chat-1', 'a', fixed(30));
    buffer.add('chat-2', 'x', fixed(30));
    buffer.add('chat-1', 'b', fixed(30));
    await waitForBatches(2);
    expect(batches.find((b) => b.key === 'chat-1')?.items).toEqual(['a', 'b']);
    expect(batches.find((b) => b.key === 'chat-2')?.items).toEqual(['x']);
  });

  it('passes messages straight through when disabled, one batch each, in order', async () => {
    const { buffer, batches, waitForBatches } = recorder();
    for (const m of ['1', '2', '3']) buffer.add('k', m, { ...fixed(0), mode: 'disabled' });
    await waitForBatches(3);
    expect(batches.map((b) => b.items)).toEqual([['1'], ['2'], ['3']]);
  });

  it('flushes at the maximum wait even while messages keep coming', async () => {
    const { buffer, batches, waitForBatches } = recorder();
    buffer.add('k', 'first', fixed(1_000, 60));
    const feeder = setInterval(() => buffer.add('k', 'more', fixed(1_000, 60)), 10);
    await waitForBatches(1);
    clearInterval(feeder);
    expect(batches[0]?.items[0]).toBe('first');
    await buffer.drain();
    expect(batches.flatMap((b) => b.items).filter((i) => i === 'first')).toHaveLength(1);
  });

  it('drain flushes open windows immediately and loses nothing', async () => {
    const { buffer, batches } = recorder();
    buffer.add('k', 'x', fixed(60_000));
    buffer.add('k', 'y', fixed(60_000));
    expect(buffer.pending).toBe(2);
    await buffer.drain();
    expect(batches).toEqual([{ key: 'k', items: ['x', 'y'] }]);
    expect(buffer.pending).toBe(0);
  });

  it('processes bursts of one chat one after another', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const buffer = new DebounceBuffer<string>(
      async (_key, items) => {
        order.push(`start:${items.join()}`);
        if (items[0] === 'slow') await gate;
        order.push(`end:${items.join()}`);
      },
      () => undefined,
    );
    buffer.add('k', 'slow', { ...fixed(0), mode: 'disabled' });
    buffer.add('k', 'next', { ...fixed(0), mode: 'disabled' });
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['start:slow']);
    release();
    await buffer.drain();
    expect(order).toEqual(['start:slow', 'end:slow', 'start:next', 'end:next']);
  });
});
