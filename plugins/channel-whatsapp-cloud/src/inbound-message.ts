import { z } from 'zod';
import type { InboundMessageInput, MessageContent, StoredMedia } from '@omni/plugin-sdk';
import type { WebhookMessage } from './webhook-notification.js';

/** Fetches an attachment by media id and stores it in the kernel's media store. */
export type MediaFetcher = (mediaId: string, hint: { mimeType?: string; filename?: string }) => Promise<StoredMedia>;

const MEDIA_KINDS = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type MediaKind = (typeof MEDIA_KINDS)[number];

const mediaPart = z.object({ id: z.string().min(1), mime_type: z.string().optional(), caption: z.string().optional(), filename: z.string().optional(), voice: z.boolean().optional() });
const parts = {
  text: z.object({ body: z.string().min(1) }),
  location: z.object({ latitude: z.coerce.number(), longitude: z.coerce.number(), name: z.string().optional(), address: z.string().optional() }),
  contacts: z
    .array(
      z.object({
        name: z.object({ formatted_name: z.string().min(1) }),
        phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
        emails: z.array(z.object({ email: z.string().optional() })).optional(),
        org: z.object({ company: z.string().optional() }).optional(),
      }),
    )
    .min(1),
  reaction: z.object({ message_id: z.string().min(1), emoji: z.string().optional() }),
  interactive: z.object({
    type: z.string(),
    button_reply: z.object({ id: z.string(), title: z.string().min(1) }).optional(),
    list_reply: z.object({ id: z.string(), title: z.string().min(1) }).optional(),
  }),
  button: z.object({ text: z.string().min(1), payload: z.string().optional() }),
};

/** Either the normalized message or why it is not one Omni can take. */
export type InboundConversion = { message: InboundMessageInput } | { ignored: string };

async function contentOf(m: WebhookMessage, fetchMedia: MediaFetcher): Promise<MessageContent | string> {
  const part = (m as Record<string, unknown>)[m.type];
  if ((MEDIA_KINDS as readonly string[]).includes(m.type)) {
    const parsed = mediaPart.safeParse(part);
    if (!parsed.success) return `a ${m.type} message without a media id`;
    const kind = m.type as MediaKind;
    const media = await fetchMedia(parsed.data.id, { mimeType: parsed.data.mime_type, filename: parsed.data.filename });
    if (kind === 'sticker') return { type: 'sticker', media };
    if (kind === 'audio') return { type: 'audio', media, ...(parsed.data.voice ? { voiceNote: true } : {}) };
    return { type: kind, media, ...(parsed.data.caption ? { caption: parsed.data.caption } : {}) };
  }
  switch (m.type) {
    case 'text': {
      const p = parts.text.safeParse(part);
      return p.success ? { type: 'text', text: p.data.body } : 'a text message without a body';
    }
    case 'location': {
      const p = parts.location.safeParse(part);
      return p.success ? { type: 'location', latitude: p.data.latitude, longitude: p.data.longitude, name: p.data.name, address: p.data.address } : 'a location without coordinates';
    }
    case 'contacts': {
      const p = parts.contacts.safeParse(part);
      if (!p.success) return 'a contact card without a name';
      const [card] = p.data;
      const phone = card!.phones?.find((x) => x.phone)?.phone;
      const email = card!.emails?.find((x) => x.email)?.email;
      return { type: 'contact', contact: { name: card!.name.formatted_name, ...(phone ? { phone } : {}), ...(email ? { email } : {}), ...(card!.org?.company ? { organization: card!.org.company } : {}) } };
    }
    case 'reaction': {
      const p = parts.reaction.safeParse(part);
      // Meta leaves out the emoji when the customer removes a reaction.
      return p.success ? { type: 'reaction', messageId: p.data.message_id, emoji: p.data.emoji ?? '' } : 'a reaction without a message id';
    }
    case 'interactive': {
      const p = parts.interactive.safeParse(part);
      const reply = p.success ? (p.data.button_reply ?? p.data.list_reply) : undefined;
      return reply ? { type: 'text', text: reply.title } : `an interactive message of type '${p.success ? p.data.type : 'unknown'}'`;
    }
    case 'button': {
      const p = parts.button.safeParse(part);
      return p.success ? { type: 'text', text: p.data.text } : 'a template button reply without text';
    }
    default:
      return `message type '${m.type}', which Omni does not take`;
  }
}

/** When the customer sent the message (Meta's `timestamp`, in seconds), if it is valid. */
export function sentAt(m: WebhookMessage): Date | undefined {
  const seconds = Number(m.timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}

/**
 * Maps one Cloud API message to the common inbound model: the wamid is the external id, the
 * customer's wa_id is the chat and sender (with `+` as phone), `context.id` the reply target.
 * Attachments are downloaded and stored through `fetchMedia` before the message is built.
 */
export async function toInboundMessage(m: WebhookMessage, profileName: string | undefined, fetchMedia: MediaFetcher): Promise<InboundConversion> {
  const content = await contentOf(m, fetchMedia);
  if (typeof content === 'string') return { ignored: content };
  const timestamp = sentAt(m);
  return {
    message: {
      externalId: m.id,
      chatId: m.from,
      chatType: 'dm',
      sender: { id: m.from, phone: `+${m.from.replace(/^\+/, '')}`, ...(profileName ? { name: profileName } : {}) },
      content,
      ...(m.context?.id ? { replyTo: m.context.id } : {}),
      ...(timestamp ? { timestamp } : {}),
      raw: m,
    },
  };
}
