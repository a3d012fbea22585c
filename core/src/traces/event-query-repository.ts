import { raw, type FilterQuery, type QBFilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { MessageEventSchema, type EventStatus, type MessageEvent } from '../db/entities/message-event.js';
import { createdWithin, eventFilterQuery, type EventFilters, instanceCondition } from './event-filters.js';
import { decodeCursor, encodeCursor } from '../db/keyset-cursor.js';

export type { EventFilters } from './event-filters.js';

export const DEFAULT_EVENT_PAGE = 50;
export const MAX_EVENT_PAGE = 500;
/** Cleanup and payload purges accept ages up to this many days (a century). */
export const MAX_RETENTION_DAYS = 36_500;
/** The analytics window when neither `since` nor `allTime` is given. */
export const DEFAULT_ANALYTICS_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Inbound statuses that mean the message was answered: the pipeline sets the inbound status to the outcome. */
export const SUCCESS_STATUSES: readonly EventStatus[] = ['sent', 'delivered', 'read'];

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export interface PageOptions {
  /** 1..500, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface EventPage {
  items: MessageEvent[];
  /** Null on the last page. */
  nextCursor: string | null;
  /** All rows matching the filters, not just this page. */
  total: number;
}

export interface EventWithTrace {
  event: MessageEvent;
  /** The other events of the same trace, oldest first. */
  trace: MessageEvent[];
}

export interface BySenderOptions {
  /** 1..500, default 50. */
  limit?: number;
  instanceId?: string | readonly string[];
}

export interface SenderEvents {
  /** Newest first. */
  items: MessageEvent[];
  meta: { total: number; hasMore: boolean };
}

export interface AnalyticsOptions {
  /** Inclusive. Default: 24 hours before `until` (or now). */
  since?: Date;
  /** Exclusive. Default: no upper bound. */
  until?: Date;
  instanceId?: string | readonly string[];
  /** Ignore `since` and `until`: every event ever. */
  allTime?: boolean;
}

export interface HourBucket {
  /** The hour's start, ISO 8601 in UTC without milliseconds, e.g. `2025-01-29T10:00:00Z`. */
  hour: string;
  count: number;
  /** Percentage of the hour's messages that succeeded, one decimal. */
  successRate: number;
}

/**
 * Figures over the inbound, realtime events of the window: one per message received. History
 * imports and outbound replies are not counted; a reply's outcome shows in its inbound event's status.
 */
export interface EventAnalytics {
  /** Inbound realtime events in the window. */
  totalMessages: number;
  /** Of those, status sent, delivered or read: the pipeline answered them. */
  successfulMessages: number;
  /** Of those, status failed. Blocked, skipped and still-running ones count as neither. */
  failedMessages: number;
  /** successfulMessages / totalMessages × 100, one decimal; 0 when there are none. */
  successRate: number;
  /** Mean totalMs over the events that have one, rounded to whole ms; 0 when none. */
  avgProcessingTimeMs: number;
  /** Mean agentMs over the events that have one, rounded to whole ms; 0 when none. */
  avgAgentTimeMs: number;
  /** contentType → count. */
  messageTypes: Record<string, number>;
  /** errorStage → count, over the events with an error stage. */
  errorStages: Record<string, number>;
  /** instanceId → count. */
  instances: Record<string, number>;
  /** UTC hours with at least one message, oldest first. */
  byHour: HourBucket[];
  /** The window applied; null bounds are open. */
  period: { since: Date | null; until: Date | null };
}

export interface CleanupOptions {
  /** Events created more than this many days ago; an integer from 1. */
  olderThanDays: number;
  /** Only count. Default true. */
  dryRun?: boolean;
}

export interface CleanupResult {
  dryRun: boolean;
  /** Events older than the cutoff when counted. */
  eventsToDelete: number;
  cutoffDate: Date;
  /** Set only when not a dry run. */
  deleted?: number;
}

export interface EventQueryRepositoryOptions {
  /** The current time, for the default analytics window and cleanup cutoffs. */
  now?: () => Date;
}

/**
 * Reads `message_events` for the API (lists, traces, analytics) and removes old ones. Writes of
 * events belong to ingress and the pipeline. Each method uses the given EntityManager or forks its own.
 */
export class EventQueryRepository {
  private readonly now: () => Date;

  constructor(
    private readonly db: Database,
    options: EventQueryRepositoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Pages through matching events, newest first (createdAt, then id, descending). */
  async list(filters: EventFilters = {}, options: PageOptions = {}, em: EntityManager = this.db.fork()): Promise<EventPage> {
    const limit = checkLimit(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    // Built per query: the search filter's raw fragments are used up by the query that runs them.
    const where = (): FilterQuery<MessageEvent> => {
      const filter = eventFilterQuery(filters, this.db.dialect);
      if (!after) return filter;
      const before: FilterQuery<MessageEvent> = { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] };
      return { $and: [filter, before] };
    };
    // One extra row tells whether another page follows.
    const rows = await em.find(MessageEventSchema, where(), { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: limit + 1 });
    const total = await em.count(MessageEventSchema, eventFilterQuery(filters, this.db.dialect));
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null, total };
  }

  /** The event and the rest of its trace; null for an unknown id. */
  async get(id: string, em: EntityManager = this.db.fork()): Promise<EventWithTrace | null> {
    const event = await em.findOne(MessageEventSchema, { id });
    if (!event) return null;
    const trace = await em.find(MessageEventSchema, { traceId: event.traceId, id: { $ne: id } }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return { event, trace };
  }

  /** The newest events sent by one platform user (inbound events whose senderId matches). */
  async bySender(senderId: string, options: BySenderOptions = {}, em: EntityManager = this.db.fork()): Promise<SenderEvents> {
    const limit = checkLimit(options.limit);
    const where = (): FilterQuery<MessageEvent> => (options.instanceId === undefined ? { senderId } : { senderId, instanceId: instanceCondition(options.instanceId) });
    const items = await em.find(MessageEventSchema, where(), { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit });
    const total = await em.count(MessageEventSchema, where());
    return { items, meta: { total, hasMore: total > items.length } };
  }

  /**
   * Figures over inbound realtime events created in `[since, until)`; default window: the 24 hours
   * before `until` (or now). Every figure is aggregated in SQL, hours included.
   */
  async analytics(options: AnalyticsOptions = {}, em: EntityManager = this.db.fork()): Promise<EventAnalytics> {
    const period = options.allTime
      ? { since: null, until: null }
      : { since: options.since ?? new Date((options.until ?? this.now()).getTime() - DEFAULT_ANALYTICS_WINDOW_MS), until: options.until ?? null };
    const created = createdWithin(period.since ?? undefined, period.until ?? undefined);
    const scope = (): QBFilterQuery<MessageEvent> => ({
      direction: 'inbound',
      ingestMode: 'realtime',
      ...(options.instanceId === undefined ? {} : { instanceId: instanceCondition(options.instanceId) }),
      ...created,
    });
    const query = () => em.createQueryBuilder(MessageEventSchema, 'e').where(scope());
    const succeeded = () => raw(`sum(case when e.status in (${SUCCESS_STATUSES.map(() => '?').join(', ')}) then 1 else 0 end) as succeeded`, [...SUCCESS_STATUSES]);
    // The UTC hour as a number: hours since the epoch. SQLite stores datetimes as epoch milliseconds.
    const hour = this.db.dialect === 'postgresql' ? 'floor(extract(epoch from e.created_at) / 3600)' : `(e.created_at / ${HOUR_MS})`;

    type Row = Record<string, unknown>;
    const totals = await query()
      .select([raw('count(*) as total'), succeeded(), raw(`sum(case when e.status = ? then 1 else 0 end) as failed`, ['failed']), raw('avg(e.total_ms) as avg_total_ms'), raw('avg(e.agent_ms) as avg_agent_ms')])
      .execute<Row>('get', false);
    const types = await query().select(['e.contentType', raw('count(*) as n')]).groupBy('e.contentType').execute<Row[]>('all', false);
    const stages = await query()
      .select(['e.errorStage', raw('count(*) as n')])
      .andWhere({ errorStage: { $ne: null } })
      .groupBy('e.errorStage')
      .execute<Row[]>('all', false);
    const instances = await query().select(['e.instanceId', raw('count(*) as n')]).groupBy('e.instanceId').execute<Row[]>('all', false);
    const hours = await query()
      .select([raw(`${hour} as hour_index`), raw('count(*) as n'), succeeded()])
      .groupBy(raw(hour))
      .execute<Row[]>('all', false);

    const totalMessages = toNumber(totals.total);
    const successfulMessages = toNumber(totals.succeeded);
    return {
      totalMessages,
      successfulMessages,
      failedMessages: toNumber(totals.failed),
      successRate: percentage(successfulMessages, totalMessages),
      avgProcessingTimeMs: Math.round(toNumber(totals.avg_total_ms)),
      avgAgentTimeMs: Math.round(toNumber(totals.avg_agent_ms)),
      messageTypes: countsBy(types, 'content_type'),
      errorStages: countsBy(stages, 'error_stage'),
      instances: countsBy(instances, 'instance_id'),
      byHour: hours
        .map((row) => ({ index: toNumber(row.hour_index), count: toNumber(row.n), succeeded: toNumber(row.succeeded) }))
        .sort((a, b) => a.index - b.index)
        .map(({ index, count, succeeded }) => ({ hour: new Date(index * HOUR_MS).toISOString().replace('.000Z', 'Z'), count, successRate: percentage(succeeded, count) })),
      period,
    };
  }

  /** Counts, and unless `dryRun` (the default) deletes, events created before now − olderThanDays. */
  async cleanup(options: CleanupOptions, em: EntityManager = this.db.fork()): Promise<CleanupResult> {
    const cutoffDate = this.cutoff(options.olderThanDays);
    const dryRun = options.dryRun ?? true;
    const eventsToDelete = await em.count(MessageEventSchema, { createdAt: { $lt: cutoffDate } });
    if (dryRun) return { dryRun, eventsToDelete, cutoffDate };
    const deleted = await em.nativeDelete(MessageEventSchema, { createdAt: { $lt: cutoffDate } });
    return { dryRun, eventsToDelete, cutoffDate, deleted };
  }

  /** Sets the payload of events created before now − olderThanDays to null; returns how many changed. */
  async purgePayloads(olderThanDays: number, em: EntityManager = this.db.fork()): Promise<number> {
    const cutoffDate = this.cutoff(olderThanDays);
    return em.nativeUpdate(MessageEventSchema, { createdAt: { $lt: cutoffDate }, payload: { $ne: null } }, { payload: null });
  }

  private cutoff(olderThanDays: number): Date {
    if (!Number.isInteger(olderThanDays) || olderThanDays < 1 || olderThanDays > MAX_RETENTION_DAYS) {
      throw new OmniError('VALIDATION_ERROR', `olderThanDays must be an integer from 1 to ${MAX_RETENTION_DAYS}, got ${olderThanDays}`);
    }
    return new Date(this.now().getTime() - olderThanDays * DAY_MS);
  }
}

function checkLimit(limit: number = DEFAULT_EVENT_PAGE): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_PAGE) {
    throw new OmniError('VALIDATION_ERROR', `limit must be an integer from 1 to ${MAX_EVENT_PAGE}, got ${limit}`);
  }
  return limit;
}

/** Aggregates come back as numbers (SQLite) or strings (PostgreSQL bigint and numeric); null when no rows. */
function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

const percentage = (part: number, whole: number): number => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);

function countsBy(rows: Array<Record<string, unknown>>, column: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[String(row[column])] = toNumber(row.n);
  return counts;
}
