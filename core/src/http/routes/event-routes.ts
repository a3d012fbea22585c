import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import { EVENT_DIRECTIONS } from '../../db/entities/message-event.js';
import { DEFAULT_EVENT_PAGE, MAX_EVENT_PAGE, MAX_RETENTION_DAYS, type EventQueryRepository } from '../../traces/event-query-repository.js';
import { EVENT_TYPES, eventSchema, toEventView } from '../../traces/event-view.js';
import { idParam, queryBoolean, queryLimit, queryList } from '../query-params.js';
import { assertInstanceAllowed, authOf, narrowInstances } from '../../auth/request-guard.js';
import { defineRoute } from '../route.js';

export interface EventRouteDeps {
  events: EventQueryRepository;
}

/** An ISO 8601 date-time with `Z` or an offset, or a date (midnight UTC). */
const queryDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'expected an ISO 8601 date-time (e.g. 2025-01-29T10:00:00Z) or date' }).transform((s) => new Date(s));

const id = z.string().min(1).max(128);

/** `since` must not come after `until`. */
const orderedWindow = <T extends { since?: Date | undefined; until?: Date | undefined }>(q: T) => !q.since || !q.until || q.since.getTime() <= q.until.getTime();
const windowError = { message: 'since must not be after until', path: ['until'] };

const listQuery = z
  .object({
    channel: queryList(z.string().min(1).max(64)),
    instanceId: id.optional(),
    personId: id.optional(),
    eventType: queryList(z.enum(EVENT_TYPES)),
    contentType: queryList(z.string().min(1).max(64)),
    direction: z.enum(EVENT_DIRECTIONS).optional(),
    since: queryDate.optional(),
    until: queryDate.optional(),
    search: z.string().max(200).optional(),
    limit: queryLimit(MAX_EVENT_PAGE, DEFAULT_EVENT_PAGE),
    cursor: z.string().max(512).optional(),
  })
  .refine(orderedWindow, windowError);

const analyticsQuery = z
  .object({
    since: queryDate.optional(),
    until: queryDate.optional(),
    instanceId: id.optional(),
    allTime: queryBoolean.optional(),
  })
  .refine(orderedWindow, windowError);

const bySenderQuery = z.object({ limit: queryLimit(MAX_EVENT_PAGE, DEFAULT_EVENT_PAGE), instanceId: id.optional() });

const days = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a whole number of days') })
  .regex(/^[0-9]{1,6}$/, 'expected a whole number of days')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_RETENTION_DAYS));

const cleanupQuery = z.object({ olderThanDays: days, dryRun: queryBoolean.default(true) });

export const eventWithTraceSchema = eventSchema.extend({
  /** The other events of the same trace (the inbound message and its replies), oldest first. */
  trace: z.array(eventSchema),
});

export const eventAnalyticsSchema = z.object({
  totalMessages: z.number(),
  successfulMessages: z.number(),
  failedMessages: z.number(),
  successRate: z.number(),
  avgProcessingTimeMs: z.number(),
  avgAgentTimeMs: z.number(),
  messageTypes: z.record(z.string(), z.number()),
  errorStages: z.record(z.string(), z.number()),
  instances: z.record(z.string(), z.number()),
  byHour: z.array(z.object({ hour: z.string(), count: z.number(), successRate: z.number() })),
  period: z.object({ since: z.string().nullable(), until: z.string().nullable() }),
});

export const cleanupResultSchema = z.object({
  dryRun: z.boolean(),
  eventsToDelete: z.number(),
  cutoffDate: z.string(),
  deleted: z.number().optional(),
});

export const eventRoutes = ({ events }: EventRouteDeps) => [
  // Fixed paths first: `/api/v2/events/:id` would otherwise take `analytics` for an id.
  defineRoute({
    method: 'get',
    path: '/api/v2/events',
    summary: 'List message events, newest first, with filters',
    tags: ['events'],
    query: listQuery,
    response: z.object({ items: z.array(eventSchema), meta: z.object({ cursor: z.string().nullable(), hasMore: z.boolean(), total: z.number() }) }),
    handler: async ({ query, ctx }) => {
      const { limit, cursor, ...filters } = query;
      const page = await events.list({ ...filters, instanceId: narrowInstances(ctx, filters.instanceId) }, { limit, cursor });
      return { items: page.items.map(toEventView), meta: { cursor: page.nextCursor, hasMore: page.nextCursor !== null, total: page.total } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/events/analytics',
    summary: 'Message figures for a window (default: the last 24 hours): totals, success rate, timings, breakdowns, per hour',
    tags: ['events'],
    query: analyticsQuery,
    response: eventAnalyticsSchema,
    handler: async ({ query, ctx }) => {
      const result = await events.analytics({ ...query, instanceId: narrowInstances(ctx, query.instanceId) });
      return { ...result, period: { since: result.period.since?.toISOString() ?? null, until: result.period.until?.toISOString() ?? null } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/events/by-sender/:senderId',
    summary: 'The newest messages from one platform user',
    tags: ['events'],
    params: z.object({ senderId: z.string().min(1).max(255) }),
    query: bySenderQuery,
    response: z.object({ items: z.array(eventSchema), meta: z.object({ total: z.number(), hasMore: z.boolean() }) }),
    handler: async ({ params, query, ctx }) => {
      const result = await events.bySender(params.senderId, { ...query, instanceId: narrowInstances(ctx, query.instanceId) });
      return { items: result.items.map(toEventView), meta: result.meta };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v2/events/cleanup',
    summary: 'Delete events older than some days (a dry run unless dryRun=false)',
    tags: ['events'],
    query: cleanupQuery,
    response: cleanupResultSchema,
    handler: async ({ query }) => {
      const result = await events.cleanup(query);
      return { ...result, cutoffDate: result.cutoffDate.toISOString() };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/events/:id',
    summary: 'One event with the rest of its trace',
    tags: ['events'],
    params: idParam,
    response: eventWithTraceSchema,
    handler: async ({ params, ctx }) => {
      const found = await events.get(params.id);
      if (!found) throw new OmniError('NOT_FOUND', `event ${params.id} not found`);
      assertInstanceAllowed(authOf(ctx), found.event.instanceId);
      return { ...toEventView(found.event), trace: found.trace.map(toEventView) };
    },
  }),
];
