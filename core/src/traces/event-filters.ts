import { raw, type FilterQuery } from '@mikro-orm/core';
import { OmniError } from '@omni/plugin-sdk';
import type { EventDirection, EventStatus, MessageEvent } from '../db/entities/message-event.js';
import type { Dialect } from '../db/storage.js';
import { EVENT_TYPES, type EventType } from './event-view.js';

/** What a list of events can be narrowed by. Unset or empty fields do not filter; set ones combine with AND. */
export interface EventFilters {
  /** Any of these channels. */
  channel?: string[];
  /** One instance, or any of several (API keys restricted to some instances). */
  instanceId?: string | readonly string[];
  personId?: string;
  /** Inbound: the sender's platform id. */
  senderId?: string;
  direction?: EventDirection;
  /** Any of these content types. */
  contentType?: string[];
  /** Any of these event types (see `EVENT_TYPE_RULES`). */
  eventType?: EventType[];
  /** Created at or after (inclusive). */
  since?: Date;
  /** Created before (exclusive). */
  until?: Date;
  /** Case-insensitive substring of the text or the sender's name; `%` and `_` match themselves. */
  search?: string;
}

/** The statuses an event type covers: a list, or every status except a list. */
export interface EventTypeRule {
  /** Unset: both directions. */
  direction?: EventDirection;
  status: { in: readonly EventStatus[] } | { notIn: readonly EventStatus[] };
}

/**
 * `deriveEventType` as row conditions. The rules are disjoint and together cover every
 * (direction, status) pair, so each row has exactly one type.
 */
export const EVENT_TYPE_RULES: Readonly<Record<EventType, EventTypeRule>> = {
  'message.received': { direction: 'inbound', status: { notIn: ['blocked', 'failed'] } },
  'message.blocked': { direction: 'inbound', status: { in: ['blocked'] } },
  'message.sending': { direction: 'outbound', status: { notIn: ['sent', 'delivered', 'read', 'failed'] } },
  'message.sent': { direction: 'outbound', status: { in: ['sent'] } },
  'message.delivered': { direction: 'outbound', status: { in: ['delivered'] } },
  'message.read': { direction: 'outbound', status: { in: ['read'] } },
  'message.failed': { status: { in: ['failed'] } },
};

export function eventTypeCondition(type: EventType): FilterQuery<MessageEvent> {
  const rule = EVENT_TYPE_RULES[type];
  if (!rule) throw new OmniError('VALIDATION_ERROR', `unknown event type "${String(type)}"; expected one of ${EVENT_TYPES.join(', ')}`);
  const status = 'in' in rule.status ? { $in: [...rule.status.in] } : { $nin: [...rule.status.notIn] };
  return rule.direction === undefined ? { status } : { direction: rule.direction, status };
}

/**
 * The WHERE of a filtered event query. Build a new one for every query: the raw fragments of
 * `search` are consumed by the query that uses them.
 */
export function eventFilterQuery(filters: EventFilters, dialect: Dialect): FilterQuery<MessageEvent> {
  const and: Array<FilterQuery<MessageEvent>> = [];
  if (filters.channel?.length) and.push({ channel: { $in: [...filters.channel] } });
  if (filters.instanceId !== undefined) and.push({ instanceId: instanceCondition(filters.instanceId) });
  if (filters.personId !== undefined) and.push({ personId: filters.personId });
  if (filters.senderId !== undefined) and.push({ senderId: filters.senderId });
  if (filters.direction !== undefined) and.push({ direction: filters.direction });
  if (filters.contentType?.length) and.push({ contentType: { $in: [...filters.contentType] } });
  if (filters.eventType?.length) and.push({ $or: [...new Set(filters.eventType)].map(eventTypeCondition) });
  const created = createdWithin(filters.since, filters.until);
  if (created) and.push(created);
  if (filters.search) and.push(textOrSenderContains(filters.search, dialect));
  return and.length === 0 ? {} : { $and: and };
}

/** A condition on `createdAt`. */
export interface CreatedAtCondition {
  createdAt: { $gte?: Date; $lt?: Date };
}

/** `since` inclusive, `until` exclusive; undefined when neither is set. */
export function createdWithin(since: Date | undefined, until: Date | undefined): CreatedAtCondition | undefined {
  for (const [name, date] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (date !== undefined && Number.isNaN(date.getTime())) throw new OmniError('VALIDATION_ERROR', `${name} is not a valid date`);
  }
  if (since && until) return { createdAt: { $gte: since, $lt: until } };
  if (since) return { createdAt: { $gte: since } };
  if (until) return { createdAt: { $lt: until } };
  return undefined;
}

/** Escapes LIKE wildcards and the escape character itself (`!`), for `like … escape '!'`. */
export const escapeLike = (text: string): string => text.replace(/[!%_]/g, '!$&');

/**
 * A case-insensitive substring match over `text_content` and `sender_name`. PostgreSQL uses ILIKE
 * (Unicode-aware); SQLite's LIKE ignores case for ASCII letters only.
 */
function textOrSenderContains(search: string, dialect: Dialect): FilterQuery<MessageEvent> {
  const pattern = `%${escapeLike(search)}%`;
  const like = dialect === 'postgresql' ? 'ilike' : 'like';
  const contains = (column: string): FilterQuery<MessageEvent> => ({ [raw(`?? ${like} ? escape '!'`, [column, pattern])]: [] });
  return { $or: [contains('text_content'), contains('sender_name')] };
}

/** `instanceId` as one id or a list of ids. */
export const instanceCondition = (id: string | readonly string[]): string | { $in: string[] } => (typeof id === 'string' ? id : { $in: [...id] });
