import { z } from 'zod';
import { CONNECTION_STATES, OmniError } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import { agentConfigSchema, mediaConfigSchema, messagingConfigSchema } from '../../instances/instance-config.js';
import { authOf } from '../../auth/request-guard.js';
import { idParam, queryLimit, queryList } from '../query-params.js';
import { defineRoute } from '../route.js';

const name = z.string().trim().min(1).max(100).regex(/^[\w.@ -]+$/, 'letters, digits, spaces and _ . @ - only');

export const instanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string(),
  channelConfig: z.record(z.string(), z.unknown()),
  agent: z.record(z.string(), z.unknown()).nullable(),
  messaging: z.record(z.string(), z.unknown()),
  media: z.record(z.string(), z.unknown()),
  isActive: z.boolean(),
  status: z.enum(CONNECTION_STATES),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const connectionStatusSchema = z.object({
  state: z.enum(CONNECTION_STATES),
  since: z.string(),
  qr: z.object({ code: z.string(), expiresAt: z.string() }).optional(),
  pairingCode: z.object({ code: z.string(), expiresAt: z.string() }).optional(),
  error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
  reconnect: z.object({ attempt: z.number(), nextAttemptAt: z.string() }).optional(),
  account: z.object({ id: z.string(), name: z.string().optional() }).optional(),
});

const createBody = z.strictObject({
  name,
  channel: z.string().min(1).max(64),
  channelConfig: z.record(z.string(), z.unknown()).optional(),
  agent: agentConfigSchema.optional(),
  messaging: messagingConfigSchema.optional(),
  media: mediaConfigSchema.optional(),
  isActive: z.boolean().optional(),
  /** Connect right away (default true). */
  connect: z.boolean().optional(),
});

const patchBody = z.strictObject({
  name: name.optional(),
  channelConfig: z.record(z.string(), z.unknown()).optional(),
  agent: z.record(z.string(), z.unknown()).nullable().optional(),
  messaging: z.record(z.string(), z.unknown()).optional(),
  media: z.record(z.string(), z.unknown()).optional(),
  isActive: z.boolean().optional(),
});

const success = z.object({ success: z.literal(true), message: z.string().optional() });

export const instanceRoutes = (kernel: Kernel) => {
  const { instances, connections } = kernel;
  const statusOf = async (id: string) => (await instances.require(id), connections.status(id));
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/instances',
      summary: 'List instances, filtered by channel and connection state',
      tags: ['instances'],
      query: z.object({ channel: queryList(z.string().max(64)), status: queryList(z.enum(CONNECTION_STATES)), limit: queryLimit(200, 50), cursor: z.string().max(512).optional() }),
      response: z.object({ items: z.array(instanceSchema), meta: z.object({ cursor: z.string().nullable(), hasMore: z.boolean() }) }),
      handler: async ({ query, ctx }) => {
        const page = await instances.list({ ...query, ids: authOf(ctx)?.instanceIds ?? undefined });
        return { items: page.items.map((i) => instances.view(i)), meta: { cursor: page.nextCursor, hasMore: page.nextCursor !== null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances',
      summary: 'Create an instance (and connect it unless `connect: false`)',
      tags: ['instances'],
      body: createBody,
      status: 201,
      response: instanceSchema,
      handler: async ({ body }) => instances.view(await instances.create(body)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/instances/:id',
      summary: 'Get an instance',
      tags: ['instances'],
      params: idParam,
      response: instanceSchema,
      handler: async ({ params }) => instances.view(await instances.require(params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v2/instances/:id',
      summary: 'Update an instance; masked secrets sent back are kept',
      tags: ['instances'],
      params: idParam,
      body: patchBody,
      response: instanceSchema,
      handler: async ({ params, body }) => instances.view(await instances.update(params.id, body)),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v2/instances/:id',
      summary: 'Delete an instance (disconnects it first)',
      tags: ['instances'],
      params: idParam,
      response: success,
      handler: async ({ params }) => (await instances.delete(params.id), { success: true as const }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/instances/:id/status',
      summary: 'Connection status, with QR or pairing code while pairing',
      tags: ['instances'],
      params: idParam,
      response: connectionStatusSchema,
      handler: ({ params }) => statusOf(params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/instances/:id/qr',
      summary: 'The current QR code and when it expires',
      tags: ['instances'],
      params: idParam,
      response: z.object({ qr: z.string(), expiresAt: z.string() }),
      handler: async ({ params }) => {
        const instance = await instances.require(params.id);
        const channel = kernel.channels.get(instance.channel);
        if (channel && !channel.capabilities.auth.includes('qr')) {
          throw new OmniError('CAPABILITY_NOT_SUPPORTED', `channel '${instance.channel}' does not pair by QR code`);
        }
        const { qr, state } = connections.status(params.id);
        if (!qr) throw new OmniError('NOT_FOUND', `no QR code right now (instance is ${state})`);
        return { qr: qr.code, expiresAt: qr.expiresAt };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/:id/connect',
      summary: 'Connect, and keep connecting after restarts',
      tags: ['instances'],
      params: idParam,
      response: connectionStatusSchema,
      handler: ({ params }) => connections.connect(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/:id/disconnect',
      summary: 'Disconnect and stay disconnected until connected again',
      tags: ['instances'],
      params: idParam,
      response: success,
      handler: async ({ params }) => (await connections.disconnect(params.id), { success: true as const }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/:id/restart',
      summary: 'Disconnect and connect again',
      tags: ['instances'],
      params: idParam,
      response: connectionStatusSchema,
      handler: ({ params }) => connections.restart(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/instances/:id/logout',
      summary: 'End the platform session and forget its credentials',
      tags: ['instances'],
      params: idParam,
      response: success,
      handler: async ({ params }) => (await connections.logout(params.id), { success: true as const, message: 'Session cleared, re-authentication required' }),
    }),
  ];
};
