import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import { requireCapabilities, requireMethod, resolveChannel } from '../../instances/channel-access.js';
import { idParam } from '../query-params.js';
import { defineRoute } from '../route.js';

const image = z.string().min(1).max(15_000_000);

const profileBody = z
  .strictObject({
    name: z.string().min(1).max(100).optional(),
    status: z.string().max(700).optional(),
    picture: image.optional(),
    username: z.string().min(2).max(32).optional(),
    avatar: image.optional(),
    activity: z.strictObject({ type: z.enum(['playing', 'watching', 'listening', 'competing']), text: z.string().min(1).max(128) }).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one profile field');

const syncBody = z.strictObject({
  syncContacts: z.boolean().default(false),
  syncChats: z.boolean().default(true),
  syncMessages: z.boolean().default(true),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  discord: z
    .strictObject({
      guildIds: z.array(z.string().max(32)).max(100).optional(),
      channelIds: z.array(z.string().max(32)).max(500).optional(),
      includeThreads: z.boolean().optional(),
      includeForums: z.boolean().optional(),
      maxMessagesPerChannel: z.number().int().min(1).max(10_000).optional(),
    })
    .optional(),
  whatsapp: z
    .strictObject({
      chatIds: z.array(z.string().max(128)).max(1000).optional(),
      includeGroups: z.boolean().optional(),
      includeBroadcasts: z.boolean().optional(),
      maxMessagesPerChat: z.number().int().min(1).max(10_000).optional(),
    })
    .optional(),
  processMedia: z.boolean().optional(),
  batchSize: z.number().int().min(1).max(1000).optional(),
});

const syncStatusSchema = z.object({
  jobId: z.string().nullable(),
  inProgress: z.boolean(),
  lastSync: z.string().nullable(),
  contactsCount: z.number(),
  chatsCount: z.number(),
  messagesCount: z.number(),
  progress: z.object({ stage: z.enum(['contacts', 'chats', 'messages']), current: z.number(), total: z.number() }).optional(),
  error: z.string().optional(),
});

const profileSchema = z.object({
  platformUserId: z.string(),
  name: z.string().optional(),
  username: z.string().optional(),
  about: z.string().optional(),
  avatarUrl: z.string().optional(),
  isBot: z.boolean().optional(),
});

/** Seed 000 instance extras that map onto optional channel adapter methods; a channel without one answers 422. */
export const instanceFeatureRoutes = (kernel: Kernel) => {
  const resolve = (id: string) => resolveChannel(kernel.instanceRepository, kernel.channels, id);
  return [
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/discover',
      summary: 'Find platform sessions stored for a channel (WhatsApp Baileys)',
      tags: ['instances'],
      body: z.strictObject({ channel: z.string().min(1).max(64) }),
      response: z.object({ items: z.array(z.object({ sessionId: z.string(), phone: z.string(), name: z.string().optional(), connected: z.boolean(), lastSeen: z.string().optional() })) }),
      handler: async ({ body }) => {
        const channel = kernel.channels.get(body.channel);
        if (!channel) throw new OmniError('NOT_FOUND', `channel '${body.channel}' is not running`);
        if (!channel.adapter.discoverSessions) throw new OmniError('CAPABILITY_NOT_SUPPORTED', `channel '${body.channel}' has no stored sessions to discover`);
        return { items: await channel.adapter.discoverSessions() };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/v2/instances/:id/profile',
      summary: "Update the instance's own profile (WhatsApp name/status/picture, Discord username/avatar/activity)",
      tags: ['instances'],
      params: idParam,
      body: profileBody,
      response: z.object({ success: z.literal(true), profile: z.record(z.string(), z.unknown()) }),
      handler: async ({ params, body }) => {
        const resolved = await resolve(params.id);
        requireCapabilities(resolved, { features: ['profile'] });
        await requireMethod(resolved, 'updateProfile', 'update its profile')(params.id, body);
        const { picture: _picture, avatar: _avatar, ...shown } = body;
        return { success: true as const, profile: { ...shown, ...(body.picture || body.avatar ? { pictureUpdated: true } : {}) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/:id/validate-recipient',
      summary: 'Check that a recipient exists on the platform, and normalize its id',
      tags: ['instances'],
      params: idParam,
      body: z.strictObject({ recipient: z.string().min(1).max(256) }),
      response: z.object({ valid: z.boolean(), exists: z.boolean(), normalized: z.string(), profile: z.object({ name: z.string().optional(), avatar: z.string().optional() }).optional() }),
      handler: async ({ params, body }) => requireMethod(await resolve(params.id), 'validateRecipient', 'validate recipients')(params.id, body.recipient),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/instances/:id/profile/:platformUserId',
      summary: "A platform user's profile",
      tags: ['instances'],
      params: z.object({ id: idParam.shape.id, platformUserId: z.string().min(1).max(256) }),
      response: profileSchema,
      handler: async ({ params }) => requireMethod(await resolve(params.id), 'fetchProfile', 'fetch profiles')(params.id, params.platformUserId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/:id/sync',
      summary: 'Import contacts, chats and message history; imported messages are stored, never sent to the agent',
      tags: ['instances'],
      params: idParam,
      body: syncBody,
      status: 202,
      response: z.object({ jobId: z.string(), status: z.literal('started') }),
      handler: async ({ params, body }) => kernel.syncJobs.start(await resolve(params.id), body),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/instances/:id/sync/status',
      summary: 'Progress and totals of the latest sync',
      tags: ['instances'],
      params: idParam,
      response: syncStatusSchema,
      handler: async ({ params }) => (await kernel.instances.require(params.id), kernel.syncJobs.status(params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v2/instances/:id/chats/:chatId/mark-read',
      summary: "Mark a chat's latest received messages as read on the platform",
      tags: ['instances'],
      params: z.object({ id: idParam.shape.id, chatId: z.string().min(1).max(256) }),
      response: z.object({ success: z.literal(true), markedAt: z.string(), count: z.number() }),
      handler: async ({ params }) => {
        const count = await kernel.messageActions.markChatRead(params.id, params.chatId);
        return { success: true as const, markedAt: new Date().toISOString(), count };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v2/instances/:id/messages/:messageId/mark-read',
      summary: 'Mark one received message as read (Omni event id or platform message id)',
      tags: ['instances'],
      params: z.object({ id: idParam.shape.id, messageId: z.string().min(1).max(256) }),
      response: z.object({ success: z.literal(true) }),
      handler: async ({ params }) => (await kernel.messageActions.markMessageRead(params.id, params.messageId), { success: true as const }),
    }),
  ];
};
