import type { KeyValueStore } from '@omni/plugin-sdk';

const HOUR_MS = 3_600_000;

/**
 * WhatsApp's customer service window: free-form messages may only go to a customer who wrote
 * within the last 24 hours. Remembers each customer's last message time per instance, in the
 * plugin's persistent key-value store, so the rule holds across restarts.
 */
export class MessagingWindow {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly hours = 24,
  ) {}

  private key = (instanceId: string, waId: string) => `window:${instanceId}:${waId}`;

  /** Records that the customer wrote at `at` (a later record is never moved back). */
  async customerWrote(instanceId: string, waId: string, at: Date): Promise<void> {
    const previous = await this.kv.get<number>(this.key(instanceId, waId));
    const time = Math.min(at.getTime(), Date.now());
    if (previous === undefined || previous < time) await this.kv.set(this.key(instanceId, waId), time);
  }

  /** Whether a free-form message may go to the customer now, and when they last wrote. */
  async check(instanceId: string, waId: string, now = Date.now()): Promise<{ open: boolean; lastInboundAt?: Date }> {
    const last = await this.kv.get<number>(this.key(instanceId, waId));
    if (last === undefined) return { open: false };
    return { open: now - last < this.hours * HOUR_MS, lastInboundAt: new Date(last) };
  }

  /** Forgets an instance's customers. */
  forget(instanceId: string): Promise<number> {
    return this.kv.deletePrefix(`window:${instanceId}:`);
  }
}
