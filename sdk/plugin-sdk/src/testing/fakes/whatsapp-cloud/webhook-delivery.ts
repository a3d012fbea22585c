import { createHmac } from 'node:crypto';

/**
 * Meta's escaped form of a payload: every character outside printable ASCII becomes `\uXXXX`
 * with lowercase hex (UTF-16 code units, so an emoji is two escapes). Meta signs this form.
 */
export function escapeNonAscii(text: string): string {
  return text.replace(/[^\0-~]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `X-Hub-Signature-256`: `sha256=` + hex HMAC-SHA256 of the body with the app secret. */
export function signWebhookBody(appSecret: string, body: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}

export interface WebhookDeliveryOptions {
  appSecret: string;
  /** `escaped` (default): the body is sent in Meta's escaped form. `utf8`: sent as plain UTF-8 JSON. */
  bodyForm?: 'escaped' | 'utf8';
  /** `escaped` (default, what Meta documents): the HMAC covers the escaped form. `raw`: the bytes sent. */
  signOver?: 'escaped' | 'raw';
  /** Replaces the computed signature; `null` sends no signature header. */
  signature?: string | null;
}

export interface WebhookAnswer {
  status: number;
  /** The answer parsed as JSON when it is JSON, else its text. */
  body: any;
}

async function answerOf(res: Response): Promise<WebhookAnswer> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      // fall through to text
    }
  }
  return { status: res.status, body: text };
}

/** POSTs a notification to a webhook URL as Meta does: JSON, signed with `X-Hub-Signature-256`. */
export async function deliverWebhook(webhookUrl: string, payload: unknown, options: WebhookDeliveryOptions): Promise<WebhookAnswer> {
  const json = JSON.stringify(payload);
  const body = options.bodyForm === 'utf8' ? json : escapeNonAscii(json);
  const signed = options.signOver === 'raw' ? body : escapeNonAscii(body);
  const signature = options.signature === undefined ? signWebhookBody(options.appSecret, signed) : options.signature;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  return answerOf(await fetch(webhookUrl, { method: 'POST', headers, body }));
}

/** Meta's verification request when a callback URL is saved: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. */
export async function verifyWebhook(webhookUrl: string, input: { verifyToken: string; challenge?: string; mode?: string }): Promise<WebhookAnswer & { challenge: string }> {
  const challenge = input.challenge ?? String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const url = new URL(webhookUrl);
  url.searchParams.set('hub.mode', input.mode ?? 'subscribe');
  url.searchParams.set('hub.verify_token', input.verifyToken);
  url.searchParams.set('hub.challenge', challenge);
  return { ...(await answerOf(await fetch(url))), challenge };
}
