import type { ChannelInstance, Logger, WebhookRequest, WebhookResponse } from '@omni/plugin-sdk';
import { MAX_MEDIA_BYTES } from './capabilities.js';
import type { GraphClient } from './graph-client.js';
import { sentAt, toInboundMessage } from './inbound-message.js';
import type { WhatsAppCloudConfig } from './instance-config.js';
import { downloadMedia } from './media-transfer.js';
import type { MessagingWindow } from './messaging-window.js';
import { signatureMatches, verifyTokenMatches } from './webhook-signature.js';
import { messagesChangeValue, webhookNotification, type MessagesChangeValue, type WebhookStatus } from './webhook-notification.js';

export const refuse = (status: number, code: string, message: string, details?: unknown): WebhookResponse => ({
  status,
  body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
});

export interface WebhookContext {
  instance: ChannelInstance<WhatsAppCloudConfig>;
  graph: GraphClient;
  window: MessagingWindow;
  logger: Logger;
}

/** Meta's handshake when the callback URL is saved: echo `hub.challenge` when the verify token matches. */
export function answerVerification(config: WhatsAppCloudConfig, request: WebhookRequest): WebhookResponse {
  const { query } = request;
  if (query['hub.mode'] !== 'subscribe' || !verifyTokenMatches(config.verifyToken, query['hub.verify_token'])) {
    return refuse(403, 'FORBIDDEN', 'hub.mode must be subscribe and hub.verify_token must match the instance verifyToken');
  }
  return { status: 200, body: query['hub.challenge'] ?? '', headers: { 'content-type': 'text/plain; charset=utf-8' } };
}

/** `failed` carries Meta's reason: code, title and details. */
function failureReason(s: WebhookStatus): string {
  const e = s.errors?.[0];
  if (!e) return 'WhatsApp reported the message as failed';
  const details = e.error_data?.details ?? (e.message !== e.title ? e.message : undefined);
  return `${e.code} ${e.title ?? 'failed'}${details ? `: ${details}` : ''}`;
}

interface Tally {
  received: number;
  duplicates: number;
  statuses: number;
  ignored: string[];
  failed: Array<{ id: string; message: string }>;
}

async function takeChange(ctx: WebhookContext, value: MessagesChangeValue, tally: Tally): Promise<void> {
  const { instance, graph, window } = ctx;
  const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
  const fetchMedia = async (mediaId: string, hint: { mimeType?: string; filename?: string }) => {
    const file = await downloadMedia(graph, mediaId, MAX_MEDIA_BYTES);
    return instance.storeMedia({ data: file.bytes, mimeType: file.mimeType ?? hint.mimeType, filename: hint.filename });
  };

  for (const m of value.messages ?? []) {
    try {
      const converted = await toInboundMessage(m, names.get(m.from), fetchMedia);
      if ('ignored' in converted) {
        ctx.logger.warn({ wamid: m.id, type: m.type, reason: converted.ignored }, 'WhatsApp message not taken');
        tally.ignored.push(m.id);
        continue;
      }
      const result = await instance.receive(converted.message);
      await window.customerWrote(instance.id, m.from, sentAt(m) ?? new Date());
      if (result.duplicate) tally.duplicates++;
      else tally.received++;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.logger.error({ wamid: m.id, type: m.type, err: message }, 'could not take WhatsApp message; Meta will deliver it again');
      tally.failed.push({ id: m.id, message });
    }
  }

  for (const s of value.statuses ?? []) {
    // `sent` is already known from the send itself; other statuses (deleted, warning) carry no delivery news.
    if (s.status !== 'delivered' && s.status !== 'read' && s.status !== 'failed') continue;
    try {
      await instance.reportDelivery({ externalId: s.id, status: s.status, ...(s.status === 'failed' ? { error: failureReason(s) } : {}) });
      tally.statuses++;
    } catch (err) {
      tally.failed.push({ id: s.id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

/**
 * A signed notification: every message is stored (attachments downloaded first) and every
 * status reported before Meta gets its 200. When any of them fails, the answer is 502 so Meta
 * delivers the notification again; messages already stored are recognized as duplicates.
 */
export async function takeNotification(ctx: WebhookContext, request: WebhookRequest): Promise<WebhookResponse> {
  const { config } = ctx.instance;
  if (!signatureMatches(config.appSecret, request.rawBody, request.headers['x-hub-signature-256'])) {
    return refuse(401, 'UNAUTHORIZED', 'missing or invalid X-Hub-Signature-256');
  }
  if (request.body === undefined) return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the notification as application/json');
  const parsed = webhookNotification.safeParse(request.body);
  if (!parsed.success) return refuse(400, 'VALIDATION_ERROR', 'not a WhatsApp Business webhook notification', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));

  const tally: Tally = { received: 0, duplicates: 0, statuses: 0, ignored: [], failed: [] };
  for (const change of parsed.data.entry.flatMap((e) => e.changes)) {
    if (change.field !== 'messages') continue;
    const value = messagesChangeValue.safeParse(change.value);
    if (!value.success) return refuse(400, 'VALIDATION_ERROR', 'invalid messages change', value.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    // One Meta app may send notifications for several numbers to the same URL: take only ours.
    if (value.data.metadata.phone_number_id !== config.phoneNumberId) continue;
    await takeChange(ctx, value.data, tally);
  }
  if (tally.failed.length > 0) {
    return refuse(502, 'PLATFORM_ERROR', `could not take ${tally.failed.length} item(s) of this notification; deliver it again`, tally.failed);
  }
  return { status: 200, body: { received: tally.received, duplicates: tally.duplicates, statuses: tally.statuses, ignored: tally.ignored.length } };
}
