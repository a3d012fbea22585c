import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

// waitForConnectionState runs in every channel plugin's tests and in describeChannelConformance.

describe('waitFor', () => {
  it('returns the first value the probe gives, skipping undefined and false', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () => (++calls >= 3 ? { calls } : calls === 1 ? undefined : false));
    expect(value).toEqual({ calls: 3 });
  });

  it('keeps 0, null and empty strings as answers', async () => {
    expect(await waitFor('zero', () => 0)).toBe(0);
    expect(await waitFor('null', () => null)).toBeNull();
    expect(await waitFor('empty', () => '')).toBe('');
  });

  it('fails with what it waited for, described at the timeout when given as a function', async () => {
    await expect(waitFor('never', () => false, 50)).rejects.toThrow('timed out waiting for never');
    let n = 0;
    await expect(waitFor(() => `never (probed ${n} times)`, () => (n++, undefined), 50)).rejects.toThrow(/never \(probed [1-9]\d* times\)/);
  });
});
