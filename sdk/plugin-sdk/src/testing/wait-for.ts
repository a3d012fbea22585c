import type { ConnectionState, ConnectionStatus } from '../channel.js';
import type { TestKernel } from './start-test-kernel.js';

/**
 * Polls until `probe` returns a value (not undefined/false), or fails after `timeoutMs` with
 * "timed out waiting for <what>" (`what` may be a function, to describe the state at the timeout).
 */
export async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until the instance's connection status in the test kernel is `state` (or one of the
 * states given), and returns that status; a timeout names the state it stayed in and its error.
 */
export function waitForConnectionState(
  tk: TestKernel,
  instanceId: string,
  state: ConnectionState | readonly ConnectionState[],
  timeoutMs = 10_000,
): Promise<ConnectionStatus> {
  const wanted: readonly ConnectionState[] = typeof state === 'string' ? [state] : state;
  const status = () => tk.kernel.connections.status(instanceId);
  return waitFor(
    () => `instance ${instanceId} ${wanted.join(' or ')}, but it stayed '${status().state}'${status().error ? `: ${status().error!.message}` : ''}`,
    () => wanted.includes(status().state) && status(),
    timeoutMs,
  );
}
