import { z } from 'zod';

/** A media payload. Inbound media is stored by the kernel; outbound media comes as a URL or base64. */
export const mediaSchema = z
  .object({
    url: z.string().url().optional(),
    base64: z.string().optional(),
    mimeType: z.string().min(1).optional(),
    filename: z.string().optional(),
    size: z.number().int().nonnegative().optional(),
    /** Where the kernel stored the bytes, once downloaded. */
    storageKey: z.string().optional(),
  })
  .refine((m) => m.url !== undefined || m.base64 !== undefined || m.storageKey !== undefined, 'media needs a url, base64 or storageKey');
export type Media = z.infer<typeof mediaSchema>;

export const contactCardSchema = z.object({
  name: z.string().min(1),
  phone: z.string().optional(),
  email: z.string().optional(),
  organization: z.string().optional(),
});
export type ContactCard = z.infer<typeof contactCardSchema>;

/** The content of a message, one shape per content type. Shared by inbound and outbound messages. */
export const messageContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1) }),
  z.object({ type: z.literal('image'), media: mediaSchema, caption: z.string().optional() }),
  z.object({ type: z.literal('audio'), media: mediaSchema, voiceNote: z.boolean().optional() }),
  z.object({ type: z.literal('video'), media: mediaSchema, caption: z.string().optional() }),
  z.object({ type: z.literal('document'), media: mediaSchema, caption: z.string().optional() }),
  z.object({ type: z.literal('sticker'), media: mediaSchema }),
  z.object({
    type: z.literal('location'),
    latitude: z.number().min(-90).max(90),
    longitude: z.number().min(-180).max(180),
    name: z.string().optional(),
    address: z.string().optional(),
  }),
  z.object({ type: z.literal('contact'), contact: contactCardSchema }),
  z.object({
    type: z.literal('reaction'),
    /** The platform id of the message reacted to. */
    messageId: z.string().min(1),
    /** The emoji; an empty string removes the reaction. */
    emoji: z.string(),
  }),
  z.object({
    type: z.literal('poll'),
    question: z.string().min(1),
    options: z.array(z.string().min(1)).min(2),
    multipleAnswers: z.boolean().optional(),
  }),
]);
export type MessageContent = z.infer<typeof messageContentSchema>;

export const CHAT_TYPES = ['dm', 'group', 'channel', 'thread'] as const;
export type ChatType = (typeof CHAT_TYPES)[number];

export const senderSchema = z.object({
  /** The platform's id for the sender (phone JID, Discord user id, ...). */
  id: z.string().min(1),
  name: z.string().optional(),
  /** E.164 phone number when the platform knows it (WhatsApp, including LID senders). */
  phone: z.string().optional(),
  username: z.string().optional(),
  avatarUrl: z.string().optional(),
  isBot: z.boolean().optional(),
});
export type Sender = z.infer<typeof senderSchema>;

/**
 * What a channel plugin hands to the kernel for every inbound message. The kernel
 * validates it, stores it and acknowledges only after it is stored.
 */
export const inboundMessageSchema = z.object({
  /** The platform's message id: the key for ingress idempotency. */
  externalId: z.string().min(1),
  chatId: z.string().min(1),
  chatType: z.enum(CHAT_TYPES).default('dm'),
  threadId: z.string().optional(),
  sender: senderSchema,
  content: messageContentSchema,
  replyTo: z.string().optional(),
  mentions: z.array(z.string()).optional(),
  /** Set when this event edits (`edit`) or deletes (`delete`) an earlier message. */
  change: z.object({ kind: z.enum(['edit', 'delete']), targetId: z.string().min(1) }).optional(),
  /** When the platform says the message was sent; normalized to an ISO string. */
  timestamp: z.coerce.date().transform((d) => d.toISOString()).optional(),
  /** Messages replayed from history are stored but never routed to an agent. */
  ingestMode: z.enum(['realtime', 'history']).default('realtime'),
  raw: z.unknown().optional(),
});
export type InboundMessageInput = z.input<typeof inboundMessageSchema>;
export type InboundMessage = z.output<typeof inboundMessageSchema>;

/** What the kernel asks a channel plugin to send. */
export const outboundMessageSchema = z.object({
  /** Omni's id for this outbound message; stable across retries of the same send. */
  id: z.string().min(1),
  to: z.string().min(1),
  threadId: z.string().optional(),
  content: messageContentSchema,
  replyTo: z.string().optional(),
});
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

/** The outcome of a send. A failure carries the platform's reason; it is never silent. */
export type SendResult =
  | { ok: true; externalId: string }
  | { ok: false; error: { code: string; message: string; retryable: boolean; retryAfterMs?: number } };
