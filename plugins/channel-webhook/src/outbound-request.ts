import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import type { OutboundMessage, SendResult } from '@omni/plugin-sdk';
import type { WebhookInstanceConfig } from './instance-config.js';

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, so receivers can verify origin and freshness. */
export function signOutbound(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Kept-alive connections to receivers. undici's `request` instead of `fetch`: the WHATWG layer
 * of fetch was the largest block of hub CPU in the pipeline benchmark profile.
 */
const agent = new Agent({ keepAliveTimeout: 30_000 });

const isTimeout = (err: unknown) => {
  const e = err as { name?: string; code?: string };
  return e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT';
};

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
  let status: number;
  let retryAfterHeader: string | string[] | undefined;
  let text: string;
  try {
    const res = await request(config.outboundUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-omni-timestamp': timestamp, 'x-omni-signature': signOutbound(config.secret, timestamp, body) },
      body,
      dispatcher: agent,
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    status = res.statusCode;
    retryAfterHeader = res.headers['retry-after'];
    text = await res.body.text().catch(() => '');
  } catch (err) {
    const timedOut = isTimeout(err) || isTimeout((err as { cause?: unknown }).cause);
    return { ok: false, error: { code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', message: timedOut ? `no answer from outboundUrl within ${config.timeoutMs} ms` : `could not reach outboundUrl: ${(err as Error).message}`, retryable: true } };
  }
  if (status < 200 || status >= 300) {
    const retryAfter = Number(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
    return {
      ok: false,
      error: {
        code: `HTTP_${status}`,
        message: `outboundUrl answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        retryable: status >= 500 || status === 429,
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
