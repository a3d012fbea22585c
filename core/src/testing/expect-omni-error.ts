import { expect } from 'vitest';
import { isOmniError, type OmniErrorCode } from '@omni/plugin-sdk';

/** Asserts that `promise` rejects with an OmniError of this code. */
export async function expectOmniError(promise: Promise<unknown>, code: OmniErrorCode): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOmniError(err) && err.code).toBe(code);
}
