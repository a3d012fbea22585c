import { createHmac } from 'node:crypto';
import type { OutboundMessage, SendResult } from '@omni/plugin-sdk';
import type { WebhookInstanceConfig } from './instance-config.js';

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, so receivers can verify origin and freshness. */
export function signOutbound(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs one outbound message to the instance's `outboundUrl`. A 2xx answer means sent (its
 * JSON `messageId`, when present, becomes the external id); anything else means failed,
 * with the receiver's status and reason.
 */
export async function postOutbound(instanceId: string, config: WebhookInstanceConfig, message: OutboundMessage): Promise<SendResult> {
  const body = JSON.stringify({
    instanceId,
    messageId: message.id,
    to: message.to,
    chatId: message.to,
    threadId: message.threadId,
    content: message.content,
    replyTo: message.replyTo,
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  let res: Response;
  try {
    res = await fetch(config.outboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-omni-timestamp': timestamp, 'x-omni-signature': signOutbound(config.secret, timestamp, body) },
      body,
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as { name?: string }).name === 'TimeoutError';
    return { ok: false, error: { code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', message: timedOut ? `no answer from outboundUrl within ${config.timeoutMs} ms` : `could not reach outboundUrl: ${(err as Error).message}`, retryable: true } };
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const retryAfter = Number(res.headers.get('retry-after'));
    return {
      ok: false,
      error: {
        code: `HTTP_${res.status}`,
        message: `outboundUrl answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        retryable: res.status >= 500 || res.status === 429,
        ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
      },
    };
  }
  let externalId = message.id;
  try {
    const parsed = JSON.parse(text) as { messageId?: unknown };
    if (typeof parsed.messageId === 'string' && parsed.messageId) externalId = parsed.messageId;
  } catch {
    // A non-JSON 2xx answer is fine: the message counts as sent under Omni's id.
  }
  return { ok: true, externalId };
}
