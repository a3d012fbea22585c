import type { HttpClient } from './http-client.js';
import type { OutboundReceiver } from './receiver.js';

/** Where inbound messages go: the hub's webhook channel, or the relay standing in for it. */
export interface InboundTarget {
  baseUrl: string;
  instanceId: string;
  secret: string;
}

export interface LoadOptions {
  target: InboundTarget;
  client: HttpClient;
  receiver: OutboundReceiver;
  messages: number;
  concurrency: number;
  /** Makes texts and message ids unique across runs. */
  label: string;
  replyTimeoutMs: number;
}

/** One message that got its reply. */
export interface Delivered {
  eventId: string;
  latencyMs: number;
  /** Date.now() when the reply arrived. */
  repliedAt: number;
}

export interface LoadResult {
  messages: number;
  concurrency: number;
  delivered: Delivered[];
  /** Inbound POSTs that did not answer 200. */
  rejected: number;
  /** Accepted messages whose reply never came within the timeout. */
  lost: number;
  /** From the first send to the last reply. */
  durationMs: number;
  /** Date.now() of the last reply. */
  lastReplyAt: number;
  firstError?: string;
}

/** A sender per in-flight slot: its chat never has two messages in flight, so no chat serializes another. */
export const senderFor = (slot: number) => `+1555${String(slot).padStart(7, '0')}`;

/**
 * Drives `messages` inbound messages with exactly `concurrency` in flight: each slot sends one,
 * waits for its reply at the receiver, and sends the next. Latency is from just before the inbound
 * POST to the moment the receiver has read the reply.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const url = `${o.target.baseUrl}/api/v2/webhooks/webhook/${o.target.instanceId}`;
  const headers = { 'x-webhook-secret': o.target.secret };
  const delivered: Delivered[] = [];
  let next = 0;
  let rejected = 0;
  let lost = 0;
  let lastReply = 0;
  let lastReplyAt = 0;
  let firstError: string | undefined;

  const slot = async (index: number) => {
    const from = senderFor(index);
    for (let i = next++; i < o.messages; i = next++) {
      const messageId = `${o.label}-${i}`;
      const text = `bench ${messageId}`;
      const expected = o.receiver.expect(`Echo: ${text}`, o.replyTimeoutMs);
      const started = performance.now();
      let eventId: string;
      try {
        const res = await o.client.post(url, { event: 'message', data: { messageId, from, text } }, headers);
        if (res.status !== 200) throw new Error(`inbound POST answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
        eventId = String(res.body?.eventId);
      } catch (err) {
        expected.cancel();
        rejected++;
        firstError ??= (err as Error).message;
        continue;
      }
      const arrived = await expected.reply;
      if (!arrived) {
        lost++;
        firstError ??= `no reply for ${messageId} within ${o.replyTimeoutMs} ms`;
        continue;
      }
      delivered.push({ eventId, latencyMs: arrived.at - started, repliedAt: arrived.wallClock });
      if (arrived.at > lastReply) {
        lastReply = arrived.at;
        lastReplyAt = arrived.wallClock;
      }
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.messages) }, (_, i) => slot(i)));
  return {
    messages: o.messages,
    concurrency: o.concurrency,
    delivered,
    rejected,
    lost,
    durationMs: (lastReply || performance.now()) - started,
    lastReplyAt,
    ...(firstError ? { firstError } : {}),
  };
}
