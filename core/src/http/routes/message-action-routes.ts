import { z } from 'zod';
import { authOf } from '../../auth/request-guard.js';
import type { Kernel } from '../../kernel/create-kernel.js';
import { idParam } from '../query-params.js';
import { defineRoute } from '../route.js';

/** Editing and deleting sent messages, and the typing indicator. */
export const messageActionRoutes = (kernel: Kernel) => [
  defineRoute({
    method: 'post',
    path: '/api/v2/messages/typing',
    summary: 'Show or stop the typing indicator in a chat',
    tags: ['messages'],
    body: z.strictObject({ instanceId: z.string().min(1).max(64), to: z.string().min(1).max(256), state: z.enum(['composing', 'paused']).default('composing') }),
    response: z.object({ success: z.literal(true) }),
    handler: async ({ body }) => (await kernel.messageActions.typing(body.instanceId, body.to, body.state), { success: true as const }),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v2/messages/:id',
    summary: 'Edit the text of a sent message',
    tags: ['messages'],
    params: idParam,
    body: z.strictObject({ text: z.string().min(1).max(100_000) }),
    response: z.object({ messageId: z.string(), externalMessageId: z.string() }),
    handler: ({ params, body, ctx }) => kernel.messageActions.edit(params.id, body.text, authOf(ctx)?.instanceIds),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v2/messages/:id',
    summary: 'Delete a sent message for everyone',
    tags: ['messages'],
    params: idParam,
    response: z.object({ messageId: z.string(), deleted: z.literal(true) }),
    handler: async ({ params, ctx }) => ({ ...(await kernel.messageActions.delete(params.id, authOf(ctx)?.instanceIds)), deleted: true as const }),
  }),
];
