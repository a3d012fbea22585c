import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import { MessageEventSchema } from '../../db/entities/message-event.js';
import { idParam } from '../query-params.js';
import { defineRoute } from '../route.js';

const keyParams = z.object({ instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), hash: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex') });

const storageKeyOf = (payload: unknown): string | undefined => {
  const media = (payload as { content?: { media?: { storageKey?: unknown } } } | null)?.content?.media;
  return typeof media?.storageKey === 'string' ? media.storageKey : undefined;
};

/** Stored media: the bytes by storage key, and a message's media as seed 000 describes it. */
export const mediaRoutes = (kernel: Kernel) => [
  defineRoute({
    method: 'get',
    path: '/api/v2/media/:instanceId/:hash',
    summary: 'The bytes of a stored media file',
    tags: ['media'],
    raw: true,
    params: keyParams,
    handler: async (ctx) => {
      const { instanceId, hash } = keyParams.parse(ctx.params);
      const file = await kernel.media.get(`${instanceId}/${hash}`);
      if (!file) throw new OmniError('NOT_FOUND', 'no such media');
      ctx.type = file.meta.mimeType;
      ctx.set('Cache-Control', 'private, max-age=31536000, immutable');
      ctx.set('X-Content-Type-Options', 'nosniff');
      if (file.meta.filename) ctx.attachment(file.meta.filename, { type: 'inline' });
      ctx.body = file.data;
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/instances/:id/messages/:messageId/media',
    summary: "A message's media as base64 (from Omni's media store)",
    tags: ['media'],
    params: z.object({ id: idParam.shape.id, messageId: z.string().min(1).max(256) }),
    response: z.object({
      base64: z.string(),
      mimetype: z.string(),
      fileName: z.string().optional(),
      size: z.number(),
      mediaStatus: z.literal('downloaded'),
      source: z.literal('local'),
    }),
    handler: async ({ params }) => {
      const uuid = /^[0-9a-f-]{36}$/i.test(params.messageId);
      const event = await kernel.database.fork().findOne(MessageEventSchema, { instanceId: params.id, ...(uuid ? { $or: [{ id: params.messageId }, { externalId: params.messageId }] } : { externalId: params.messageId }) });
      if (!event) throw new OmniError('NOT_FOUND', `no message '${params.messageId}' on this instance`);
      const key = storageKeyOf(event.payload);
      const file = key ? await kernel.media.get(key) : undefined;
      if (!file) throw new OmniError('NOT_FOUND', event.payload ? 'this message has no stored media' : 'the message payload is past its retention period');
      return { base64: file.data.toString('base64'), mimetype: file.meta.mimeType, ...(file.meta.filename ? { fileName: file.meta.filename } : {}), size: file.meta.size, mediaStatus: 'downloaded' as const, source: 'local' as const };
    },
  }),
];
