import { z } from 'zod';
import type { InboundMessageInput, MessageContent } from '@omni/plugin-sdk';

const media = z
  .object({
    type: z.enum(['image', 'audio', 'video', 'document', 'sticker']),
    url: z.string().url().optional(),
    base64: z.string().optional(),
    mimeType: z.string().min(1),
    filename: z.string().optional(),
  })
  .refine((m) => (m.url === undefined) !== (m.base64 === undefined), 'media needs exactly one of url or base64');

const messageData = z
  .object({
    messageId: z.string().min(1).max(256),
    from: z.string().min(1).max(256),
    chatId: z.string().min(1).max(256).optional(),
    fromName: z.string().max(256).optional(),
    text: z.string().min(1).max(65_536).optional(),
    media: media.optional(),
    location: z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: z.string().optional() }).optional(),
    contact: z.object({ name: z.string().min(1), phone: z.string().optional(), email: z.string().optional() }).optional(),
    reaction: z.object({ messageId: z.string().min(1), emoji: z.string() }).optional(),
    replyTo: z.string().optional(),
    timestamp: z.union([z.string(), z.number()]).optional(),
  })
  .refine((d) => [d.text, d.media, d.location, d.contact, d.reaction].some((v) => v !== undefined), 'a message needs text, media, location, contact or reaction');

/** The JSON an integration POSTs to `/api/v2/webhooks/webhook/:instanceId`. */
export const inboundPayload = z.discriminatedUnion('event', [
  z.object({ event: z.literal('message'), data: messageData }),
  z.object({
    event: z.literal('status'),
    data: z.object({ messageId: z.string().min(1), status: z.enum(['delivered', 'read', 'failed']), error: z.string().optional() }),
  }),
]);
export type InboundPayload = z.infer<typeof inboundPayload>;
type MessageData = z.infer<typeof messageData>;

function contentOf(d: MessageData): MessageContent {
  if (d.reaction) return { type: 'reaction', messageId: d.reaction.messageId, emoji: d.reaction.emoji };
  if (d.media) {
    const { type, ...file } = d.media;
    return type === 'sticker' || type === 'audio' ? { type, media: file } : { type, media: file, caption: d.text };
  }
  if (d.location) return { type: 'location', ...d.location };
  if (d.contact) return { type: 'contact', contact: d.contact };
  return { type: 'text', text: d.text ?? '' };
}

/** Maps the webhook's message event to the common inbound message model. */
export function toInboundMessage(d: MessageData): InboundMessageInput {
  return {
    externalId: d.messageId,
    chatId: d.chatId ?? d.from,
    chatType: d.chatId && d.chatId !== d.from ? 'group' : 'dm',
    sender: { id: d.from, name: d.fromName },
    content: contentOf(d),
    replyTo: d.replyTo,
    timestamp: typeof d.timestamp === 'number' ? new Date(d.timestamp < 1e12 ? d.timestamp * 1000 : d.timestamp) : d.timestamp,
    raw: d,
  };
}
