import type { Context } from 'koa';
import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import { assertInstanceAllowed, authOf, narrowInstances } from '../../auth/request-guard.js';
import type { Instance } from '../../db/entities/instance.js';
import type { Kernel } from '../../kernel/create-kernel.js';
import { splitReply } from '../../pipeline/split-reply.js';
import { MAX_EVENT_PAGE } from '../../traces/event-query-repository.js';
import { toEventView } from '../../traces/event-view.js';
import { toPersonDto } from '../routes/person-routes.js';
import { queryBoolean } from '../query-params.js';
import { defineRoute, type RouteDefinition } from '../route.js';
import { toV1Instance, toV1Status, toV1Trace, v1InstanceSchema, v1SettingSchema, v1TraceSchema, v1UserSchema } from './v1-views.js';

const nameParam = z.object({ name: z.string().min(1).max(100) });
const sendTextBody = z
  .object({
    phone_number: z.string().min(1).max(256).optional(),
    user_id: z.string().min(1).max(256).optional(),
    text: z.string().min(1).max(100_000),
    quoted_message_id: z.string().max(256).optional(),
    auto_parse_mentions: z.boolean().optional(),
    mentioned: z.array(z.string().max(256)).max(256).optional(),
    mentions_everyone: z.boolean().optional(),
    split_message: z.boolean().optional(),
  })
  .refine((b) => (b.phone_number ?? b.user_id) !== undefined, 'send phone_number or user_id');
const sendResult = z.object({ success: z.boolean(), message_id: z.string().nullable(), status: z.enum(['sent', 'failed', 'error']), error: z.string().nullable() });

/**
 * The v1 API the existing UI calls (seed 000 mapping table), as thin translations over the v2
 * services: v1 names instances by name and uses snake_case fields. No logic of its own.
 */
export const v1Routes = (kernel: Kernel): RouteDefinition[] => {
  const byName = async (ctx: Context, name: string): Promise<Instance> => {
    const instance = await kernel.instanceRepository.getByName(name);
    if (!instance) throw new OmniError('NOT_FOUND', `instance '${name}' not found`);
    assertInstanceAllowed(authOf(ctx), instance.id);
    return instance;
  };
  const view = (i: Instance) => toV1Instance({ ...kernel.instances.view(i), status: toV1Status(kernel.connections.status(i.id).state) });

  const sendText = (path: string) =>
    defineRoute({
      method: 'post',
      path,
      summary: 'v1: send a text message (maps to POST /api/v2/messages)',
      tags: ['v1'],
      params: nameParam,
      body: sendTextBody,
      response: sendResult,
      handler: async ({ params, body, ctx }) => {
        const instance = await byName(ctx, params.name);
        const autoSplit = body.split_message ?? ((instance.messaging as { enableAutoSplit?: boolean } | null)?.enableAutoSplit ?? true);
        const maxLength = kernel.channels.get(instance.channel)?.capabilities.limits.maxTextLength ?? 4096;
        let last: Awaited<ReturnType<Kernel['messages']['send']>> | undefined;
        for (const text of splitReply(body.text, { autoSplit, maxLength })) {
          last = await kernel.messages.send({ instanceId: instance.id, to: (body.phone_number ?? body.user_id)!, content: { type: 'text', text }, replyTo: body.quoted_message_id });
          if (!last.ok) break;
        }
        if (!last?.ok) return { success: false, message_id: last?.messageId ?? null, status: 'failed' as const, error: last && !last.ok ? last.error.message : 'nothing to send' };
        return { success: true, message_id: last.externalId, status: 'sent' as const, error: null };
      },
    });

  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/instances',
      summary: 'v1: list instances (maps to GET /api/v2/instances)',
      tags: ['v1'],
      query: z.object({ skip: z.coerce.number().int().min(0).max(100_000).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100), include_status: queryBoolean.optional() }),
      response: z.array(v1InstanceSchema),
      handler: async ({ query, ctx }) => {
        const page = await kernel.instances.list({ ids: authOf(ctx)?.instanceIds ?? undefined, limit: query.skip + query.limit });
        return page.items.slice(query.skip).map(view);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/instances/:name',
      summary: 'v1: one instance by name (maps to GET /api/v2/instances/:id)',
      tags: ['v1'],
      params: nameParam,
      response: v1InstanceSchema,
      handler: async ({ params, ctx }) => view(await byName(ctx, params.name)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/instances/:name/qr',
      summary: 'v1: QR code by instance name (maps to GET /api/v2/instances/:id/qr)',
      tags: ['v1'],
      params: nameParam,
      response: z.object({ instance_name: z.string(), channel_type: z.string(), qr_code: z.string().nullable(), auth_url: z.string().nullable(), invite_url: z.string().nullable(), status: z.string(), message: z.string() }),
      handler: async ({ params, ctx }) => {
        const instance = await byName(ctx, params.name);
        const status = kernel.connections.status(instance.id);
        return {
          instance_name: instance.name,
          channel_type: instance.channel,
          qr_code: status.qr?.code ?? null,
          auth_url: null,
          invite_url: null,
          status: toV1Status(status.state),
          message: status.qr ? `scan before ${status.qr.expiresAt}` : `no QR code right now (instance is ${status.state})`,
        };
      },
    }),
    sendText('/api/v1/instance/:name/send-text'),
    sendText('/api/v1/instances/:name/send-text'),
    defineRoute({
      method: 'get',
      path: '/api/v1/traces',
      summary: 'v1: message traces (maps to GET /api/v2/events)',
      tags: ['v1'],
      query: z.object({
        phone: z.string().max(256).optional(),
        instance_name: z.string().max(100).optional(),
        trace_status: z.enum(['received', 'completed', 'failed', 'blocked']).optional(),
        message_type: z.string().max(32).optional(),
        has_media: queryBoolean.optional(),
        start_date: z.coerce.date().optional(),
        end_date: z.coerce.date().optional(),
        all_time: queryBoolean.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(50),
        offset: z.coerce.number().int().min(0).max(9000).default(0),
      }),
      response: z.array(v1TraceSchema),
      handler: async ({ query, ctx }) => {
        const instance = query.instance_name ? await byName(ctx, query.instance_name) : undefined;
        const eventType = query.trace_status === undefined ? undefined : query.trace_status === 'failed' ? ['message.failed' as const] : query.trace_status === 'blocked' ? ['message.blocked' as const] : ['message.received' as const];
        const filters = {
          direction: 'inbound' as const,
          instanceId: narrowInstances(ctx, instance?.id),
          senderId: query.phone,
          contentType: query.message_type ? [query.message_type] : query.has_media ? ['image', 'audio', 'video', 'document', 'sticker'] : undefined,
          eventType,
          since: query.all_time ? undefined : query.start_date,
          until: query.all_time ? undefined : query.end_date,
        };
        // v1 pages by offset; v2 by cursor: walk cursor pages up to offset + limit rows.
        const rows: Awaited<ReturnType<Kernel['eventQueries']['list']>>['items'] = [];
        let cursor: string | undefined;
        do {
          const page = await kernel.eventQueries.list(filters, { limit: Math.min(MAX_EVENT_PAGE, query.offset + query.limit - rows.length), cursor });
          rows.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && rows.length < query.offset + query.limit);
        const page = { items: rows };
        const names = new Map<string, string>();
        for (const e of page.items) if (!names.has(e.instanceId)) names.set(e.instanceId, (await kernel.instanceRepository.get(e.instanceId))?.name ?? '');
        return page.items.slice(query.offset).map((e) => toV1Trace(toEventView(e), names.get(e.instanceId)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/users',
      summary: 'v1: users (maps to GET /api/v2/persons)',
      tags: ['v1'],
      query: z.object({ search: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: z.array(v1UserSchema),
      handler: async ({ query }) =>
        (await kernel.identity.searchPersons(query.search, query.limit)).map(toPersonDto).map((p) => ({
          id: p.id,
          name: p.displayName,
          phone_number: p.primaryPhone,
          email: p.primaryEmail,
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        })),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/settings',
      summary: 'v1: settings (maps to GET /api/v2/settings)',
      tags: ['v1'],
      response: z.array(v1SettingSchema),
      handler: async () =>
        (await kernel.settings.list({ limit: 1000 })).map((s) => ({ key: s.key, value: s.value, value_type: s.valueType, category: (s as { category?: string }).category ?? null })),
    }),
  ];
};
