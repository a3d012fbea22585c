import { z } from 'zod';
import { OmniError, contactCardSchema, type MessageContent } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import { splitReply } from '../../pipeline/split-reply.js';
import { idempotent } from '../idempotency.js';
import { defineRoute } from '../route.js';

const target = { instanceId: z.string().min(1).max(64), to: z.string().min(1).max(256) };
const media = {
  url: z.string().url().max(4096).optional(),
  base64: z.string().max(30_000_000).optional(),
  mimeType: z.string().max(255).optional(),
  filename: z.string().max(255).optional(),
};
const oneSource = (m: { url?: string; base64?: string }) => (m.url === undefined) !== (m.base64 === undefined);

export const messageResultSchema = z.object({
  messageId: z.string(),
  externalMessageId: z.string(),
  status: z.literal('sent'),
  traceId: z.string(),
  /** Set when a text longer than the channel's limit went out as several messages (the first is the one above). */
  parts: z.array(z.object({ messageId: z.string(), externalMessageId: z.string() })).optional(),
});

const bodies = {
  text: z.strictObject({ ...target, text: z.string().min(1).max(100_000), replyTo: z.string().max(256).optional(), threadId: z.string().max(256).optional() }),
  media: z
    .strictObject({ ...target, type: z.enum(['image', 'audio', 'video', 'document']), ...media, caption: z.string().max(10_000).optional(), voiceNote: z.boolean().optional(), replyTo: z.string().max(256).optional() })
    .refine(oneSource, 'send exactly one of url or base64'),
  reaction: z.strictObject({ ...target, messageId: z.string().min(1).max(256), emoji: z.string().max(32) }),
  sticker: z.strictObject({ ...target, ...media }).refine(oneSource, 'send exactly one of url or base64'),
  contact: z.strictObject({ ...target, contact: contactCardSchema }),
  location: z.strictObject({ ...target, latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: z.string().max(255).optional(), address: z.string().max(1000).optional() }),
};

type SendBody = { instanceId: string; to: string; replyTo?: string; threadId?: string };

/** POST /api/v2/messages and friends: each builds content; sending, capability checks and tracing are shared. */
export const messageRoutes = (kernel: Kernel) => {
  const sendOne = async (body: SendBody, content: MessageContent, traceId?: string) => {
    const result = await kernel.messages.send({ instanceId: body.instanceId, to: body.to, content, replyTo: body.replyTo, threadId: body.threadId, traceId });
    if (!result.ok) {
      throw new OmniError('PLATFORM_ERROR', `the channel did not send the message: ${result.error.message}`, {
        details: { messageId: result.messageId, traceId: result.traceId, code: result.error.code, retryable: result.error.retryable, retryAfterMs: result.error.retryAfterMs },
      });
    }
    return { messageId: result.messageId, externalMessageId: result.externalId, status: 'sent' as const, traceId: result.traceId };
  };
  /** Text over the channel's limit goes out as several messages, in order, in one trace. */
  const send = async (body: SendBody, content: MessageContent) => {
    const max = kernel.channels.get((await kernel.instanceRepository.get(body.instanceId))?.channel ?? '')?.capabilities.limits.maxTextLength;
    if (content.type !== 'text' || max === undefined || content.text.length <= max) return sendOne(body, content);
    const [first, ...rest] = splitReply(content.text, { autoSplit: false, maxLength: max });
    const head = await sendOne(body, { type: 'text', text: first! });
    const parts = [{ messageId: head.messageId, externalMessageId: head.externalMessageId }];
    for (const text of rest) {
      const next = await sendOne({ ...body, replyTo: undefined }, { type: 'text', text }, head.traceId);
      parts.push({ messageId: next.messageId, externalMessageId: next.externalMessageId });
    }
    return { ...head, parts };
  };
  const route = <B extends z.ZodType>(path: string, summary: string, body: B, content: (b: z.output<B>) => MessageContent, response: z.ZodType = messageResultSchema, extra: Record<string, unknown> = {}) =>
    defineRoute({
      method: 'post',
      path: `/api/v2/messages${path}`,
      summary,
      tags: ['messages'],
      body,
      response,
      handler: ({ body: b, ctx }) => idempotent(kernel.database, ctx, `messages${path}`, b, async () => ({ ...extra, ...(await send(b as SendBody, content(b))) })),
    });
  const file = (b: { url?: string; base64?: string; mimeType?: string; filename?: string }) => ({ url: b.url, base64: b.base64, mimeType: b.mimeType, filename: b.filename });

  return [
    route('', 'Send a text message', bodies.text, (b) => ({ type: 'text', text: b.text })),
    route('/media', 'Send an image, audio, video or document', bodies.media, (b) =>
      b.type === 'audio' ? { type: 'audio', media: file(b), voiceNote: b.voiceNote } : { type: b.type, media: file(b), caption: b.caption },
    ),
    // The seed answers a reaction with { success: true }; the message result comes along.
    route('/reaction', 'React to a message (an empty emoji removes the reaction)', bodies.reaction, (b) => ({ type: 'reaction', messageId: b.messageId, emoji: b.emoji }), messageResultSchema.extend({ success: z.literal(true) }), { success: true }),
    route('/sticker', 'Send a sticker', bodies.sticker, (b) => ({ type: 'sticker', media: file(b) })),
    route('/contact', 'Send a contact card', bodies.contact, (b) => ({ type: 'contact', contact: b.contact })),
    route('/location', 'Send a location', bodies.location, (b) => ({ type: 'location', latitude: b.latitude, longitude: b.longitude, name: b.name, address: b.address })),
  ];
};
