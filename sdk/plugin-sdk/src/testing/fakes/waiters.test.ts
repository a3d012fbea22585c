import { describe, expect, it } from 'vitest';
import { Waiters } from './waiters.js';

describe('Waiters', () => {
  it('resolves at once when the probe already has a value', async () => {
    await expect(new Waiters().until(() => 'here', 1_000, 'never')).resolves.toBe('here');
  });

  it('re-checks on wake and resolves with what the probe found', async () => {
    const waiters = new Waiters();
    const calls: string[] = [];
    const waiting = waiters.until(() => calls.find((c) => c === 'b'), 1_000, 'no b');
    calls.push('a');
    waiters.wake();
    calls.push('b');
    waiters.wake();
    await expect(waiting).resolves.toBe('b');
  });

  it('hands each claimed value to one waiter only', async () => {
    const waiters = new Waiters();
    const items: number[] = [];
    let taken = 0;
    const next = () => waiters.until(() => (taken < items.length ? items[taken++] : undefined), 1_000, 'nothing');
    const first = next();
    const second = next();
    items.push(1, 2);
    waiters.wake();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
  });

  it('rejects with the message after the timeout, and stops checking', async () => {
    const waiters = new Waiters();
    let probes = 0;
    await expect(waiters.until(() => (probes++, undefined), 30, 'fake: nothing came')).rejects.toThrow('fake: nothing came');
    const before = probes;
    waiters.wake();
    expect(probes).toBe(before);
  });
});
