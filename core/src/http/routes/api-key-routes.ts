import type { Context } from 'koa';
import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import type { AuditContext } from '../../auth/audit-log.js';
import { API_SCOPES } from '../../auth/scopes.js';
import { AUDIT_ACTIONS, type ApiKey } from '../../db/entities/api-key.js';
import type { Kernel } from '../../kernel/create-kernel.js';
import { idParam, queryLimit, queryList } from '../query-params.js';
import { defineRoute } from '../route.js';

const scopes = z.array(z.enum(API_SCOPES)).min(1).max(API_SCOPES.length).refine((l) => new Set(l).size === l.length, 'duplicate scope');
const instanceIds = z.array(z.string().min(1).max(64)).min(1).max(1000).nullable();
const futureDate = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() > Date.now(), 'must be in the future');

const keySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  suffix: z.string(),
  scopes: z.array(z.string()),
  instanceIds: z.array(z.string()).nullable(),
  isAdmin: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  usageCount: z.number(),
});

const view = (k: ApiKey): z.input<typeof keySchema> => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  suffix: `...${k.suffix}`,
  scopes: k.scopes,
  instanceIds: k.instanceIds,
  isAdmin: k.isAdmin,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  lastUsedIp: k.lastUsedIp,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  usageCount: k.usageCount,
});

const who = (ctx: Context): AuditContext => ({ ip: ctx.ip, userAgent: ctx.get('user-agent') || null, endpoint: `${ctx.method} ${ctx.path}` });

/** Seed 000 API key management. The full key is in the answer to create and regenerate only. */
export const apiKeyRoutes = (kernel: Kernel) => {
  const { apiKeys, auditLog } = kernel;
  const knownInstances = async (ids: string[] | null | undefined) => {
    for (const id of ids ?? []) if (!(await kernel.instanceRepository.get(id))) throw new OmniError('VALIDATION_ERROR', `unknown instance '${id}'`, { details: [{ in: 'body', path: 'instanceIds', message: `unknown instance '${id}'` }] });
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/api-keys',
      summary: 'List API keys (prefix and suffix only, never the key)',
      tags: ['api-keys'],
      query: z.object({ includeRevoked: z.enum(['true', 'false']).optional() }),
      response: z.object({ items: z.array(keySchema) }),
      handler: async ({ query }) => ({ items: (await apiKeys.list({ includeRevoked: query.includeRevoked === 'true' })).map(view) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/api-keys',
      summary: 'Create an API key; the answer holds the key, shown this once',
      tags: ['api-keys'],
      body: z.strictObject({ name: z.string().trim().min(1).max(100), scopes, instanceIds: instanceIds.optional(), expiresAt: futureDate.nullable().optional() }),
      status: 201,
      response: keySchema.extend({ key: z.string() }),
      handler: async ({ body, ctx }) => {
        await knownInstances(body.instanceIds);
        const { record, key } = await apiKeys.create(body, who(ctx));
        return { ...view(record), key };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/api-keys/:id',
      summary: 'An API key (prefix and suffix only)',
      tags: ['api-keys'],
      params: idParam,
      response: keySchema,
      handler: async ({ params }) => (await auditLog.flush(), view(await apiKeys.get(params.id))),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v2/api-keys/:id',
      summary: "Change an API key's name, scopes, instances or expiry",
      tags: ['api-keys'],
      params: idParam,
      body: z.strictObject({ name: z.string().trim().min(1).max(100).optional(), scopes: scopes.optional(), instanceIds: instanceIds.optional(), expiresAt: futureDate.nullable().optional() }),
      response: keySchema,
      handler: async ({ params, body, ctx }) => {
        await knownInstances(body.instanceIds);
        return view(await apiKeys.update(params.id, body, who(ctx)));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v2/api-keys/:id',
      summary: 'Revoke an API key; it stops working at once',
      tags: ['api-keys'],
      params: idParam,
      response: z.object({ success: z.literal(true), revokedAt: z.string() }),
      handler: async ({ params, ctx }) => ({ success: true as const, revokedAt: (await apiKeys.revoke(params.id, who(ctx))).revokedAt!.toISOString() }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/api-keys/:id/regenerate',
      summary: 'Replace the key of an API key; the old one stops working at once',
      tags: ['api-keys'],
      params: idParam,
      response: z.object({ id: z.string(), key: z.string(), prefix: z.string(), suffix: z.string(), regeneratedAt: z.string() }),
      handler: async ({ params, ctx }) => {
        const { record, key } = await apiKeys.regenerate(params.id, who(ctx));
        return { id: record.id, key, prefix: record.prefix, suffix: `...${record.suffix}`, regeneratedAt: record.updatedAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/api-keys/:id/audit',
      summary: "An API key's audit log, newest first",
      tags: ['api-keys'],
      params: idParam,
      query: z.object({
        since: z.iso.datetime({ offset: true }).optional(),
        until: z.iso.datetime({ offset: true }).optional(),
        action: queryList(z.enum(AUDIT_ACTIONS)),
        limit: queryLimit(1000, 100),
      }),
      response: z.object({
        items: z.array(
          z.object({
            timestamp: z.string(),
            action: z.enum(AUDIT_ACTIONS),
            ip: z.string().nullable(),
            userAgent: z.string().nullable(),
            endpoint: z.string().nullable(),
            statusCode: z.number().nullable(),
            metadata: z.record(z.string(), z.unknown()).nullable(),
          }),
        ),
      }),
      handler: async ({ params, query }) => {
        await apiKeys.get(params.id);
        const items = await auditLog.list(params.id, { since: query.since ? new Date(query.since) : undefined, until: query.until ? new Date(query.until) : undefined, action: query.action, limit: query.limit });
        return { items: items.map((a) => ({ timestamp: a.at.toISOString(), action: a.action, ip: a.ip, userAgent: a.userAgent, endpoint: a.endpoint, statusCode: a.statusCode, metadata: a.metadata })) };
      },
    }),
  ];
};
