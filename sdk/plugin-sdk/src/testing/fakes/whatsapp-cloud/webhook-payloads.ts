import { randomBytes } from 'node:crypto';

/** Builders for the webhook notifications Meta POSTs for a WhatsApp Business number. */

export interface WebhookMetadata {
  display_phone_number: string;
  phone_number_id: string;
}

/** One inbound message in a `messages` notification (`value.messages[]`). */
export interface WebhookInboundMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  context?: { from: string; id: string };
  [part: string]: unknown;
}

/** One status in a `statuses` notification (`value.statuses[]`). */
export interface WebhookStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: string;
  recipient_id: string;
  errors?: Array<{ code: number; title: string; message?: string; error_data?: { details: string } }>;
}

export interface WebhookNotification {
  object: 'whatsapp_business_account';
  entry: Array<{ id: string; changes: Array<{ field: 'messages'; value: Record<string, unknown> }> }>;
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));
/** A fresh inbound wamid. */
export const inboundMessageId = () => `wamid.HBgL${randomBytes(18).toString('hex').toUpperCase()}`;

const notification = (metadata: WebhookMetadata, value: Record<string, unknown>, wabaId = '102290129340398'): WebhookNotification => ({
  object: 'whatsapp_business_account',
  entry: [{ id: wabaId, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata, ...value } }] }],
});

/** A `messages` notification: one or more messages from one customer, with their profile. */
export function messagesNotification(metadata: WebhookMetadata, input: { from: string; name?: string; messages: WebhookInboundMessage[] }): WebhookNotification {
  return notification(metadata, { contacts: [{ profile: { name: input.name ?? 'Test Customer' }, wa_id: input.from }], messages: input.messages });
}

/** A `statuses` notification about messages the business sent. */
export function statusesNotification(metadata: WebhookMetadata, statuses: WebhookStatus[]): WebhookNotification {
  return notification(metadata, { statuses });
}

interface Common {
  from: string;
  id?: string;
  /** The wamid this message replies to. */
  replyTo?: string;
  timestamp?: number;
}

const base = (c: Common, type: string): WebhookInboundMessage => ({
  from: c.from,
  id: c.id ?? inboundMessageId(),
  timestamp: c.timestamp === undefined ? nowSeconds() : String(c.timestamp),
  type,
  ...(c.replyTo ? { context: { from: c.from, id: c.replyTo } } : {}),
});

/** Inbound message bodies, one builder per type Meta sends. */
export const inbound = {
  text: (c: Common & { text: string }) => ({ ...base(c, 'text'), text: { body: c.text } }),
  media: (c: Common & { kind: 'image' | 'audio' | 'video' | 'document' | 'sticker'; mediaId: string; mimeType: string; sha256?: string; caption?: string; filename?: string; voice?: boolean }) => ({
    ...base(c, c.kind),
    [c.kind]: {
      id: c.mediaId,
      mime_type: c.mimeType,
      ...(c.sha256 ? { sha256: c.sha256 } : {}),
      ...(c.caption !== undefined ? { caption: c.caption } : {}),
      ...(c.filename !== undefined ? { filename: c.filename } : {}),
      ...(c.voice !== undefined ? { voice: c.voice } : {}),
    },
  }),
  location: (c: Common & { latitude: number; longitude: number; name?: string; address?: string }) => ({
    ...base(c, 'location'),
    location: { latitude: c.latitude, longitude: c.longitude, ...(c.name ? { name: c.name } : {}), ...(c.address ? { address: c.address } : {}) },
  }),
  contact: (c: Common & { name: string; phone?: string; email?: string; company?: string }) => ({
    ...base(c, 'contacts'),
    contacts: [
      {
        name: { formatted_name: c.name, first_name: c.name.split(' ')[0] },
        ...(c.phone ? { phones: [{ phone: c.phone, wa_id: c.phone.replace(/\D/g, ''), type: 'CELL' }] } : {}),
        ...(c.email ? { emails: [{ email: c.email, type: 'WORK' }] } : {}),
        ...(c.company ? { org: { company: c.company } } : {}),
      },
    ],
  }),
  /** An empty emoji is how Meta reports a removed reaction. */
  reaction: (c: Common & { messageId: string; emoji: string }) => ({ ...base(c, 'reaction'), reaction: { message_id: c.messageId, ...(c.emoji ? { emoji: c.emoji } : {}) } }),
  buttonReply: (c: Common & { buttonId: string; title: string }) => ({ ...base(c, 'interactive'), interactive: { type: 'button_reply', button_reply: { id: c.buttonId, title: c.title } } }),
  unsupported: (c: Common) => ({ ...base(c, 'unsupported'), errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] }),
};

/** A status about an outbound message; `failed` carries Meta's error. */
export function status(input: { id: string; status: WebhookStatus['status']; recipientId: string; error?: { code: number; title: string; details?: string }; timestamp?: number }): WebhookStatus {
  return {
    id: input.id,
    status: input.status,
    timestamp: input.timestamp === undefined ? nowSeconds() : String(input.timestamp),
    recipient_id: input.recipientId,
    ...(input.error ? { errors: [{ code: input.error.code, title: input.error.title, message: input.error.title, ...(input.error.details ? { error_data: { details: input.error.details } } : {}) }] } : {}),
  };
}
