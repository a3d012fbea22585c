import { z } from 'zod';
import { EVENT_DIRECTIONS, EVENT_STATUSES, type EventDirection, type EventStatus, type MessageEvent } from '../db/entities/message-event.js';

/** The event types a `message_events` row can have; derived from its direction and status, never stored. */
export const EVENT_TYPES = ['message.received', 'message.blocked', 'message.sending', 'message.sent', 'message.delivered', 'message.read', 'message.failed'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Outbound statuses that name their own event type; every other outbound status is `message.sending`. */
const OUTBOUND_OUTCOMES = ['sent', 'delivered', 'read', 'failed'] as const satisfies readonly EventStatus[];

/**
 * The event type of a row:
 * - inbound: `message.blocked` when blocked, `message.failed` when failed, else `message.received`
 *   (whatever the pipeline did with it: processing, skipped, sent, …);
 * - outbound: `message.sent|delivered|read|failed` for those statuses, else `message.sending`.
 *
 * `eventTypeCondition` (event-filters.ts) is the same mapping in SQL; a test keeps the two in step.
 */
export function deriveEventType(direction: EventDirection, status: EventStatus): EventType {
  if (direction === 'inbound') {
    if (status === 'blocked') return 'message.blocked';
    if (status === 'failed') return 'message.failed';
    return 'message.received';
  }
  return (OUTBOUND_OUTCOMES as readonly string[]).includes(status) ? (`message.${status}` as EventType) : 'message.sending';
}

export const eventStageSchema = z.object({
  stage: z.string(),
  /** ISO 8601. */
  at: z.string(),
  ms: z.number().optional(),
  detail: z.string().optional(),
});

/** A message event as the API shows it. Everything the v1 trace format needs is here. */
export const eventSchema = z.object({
  id: z.string(),
  /** Shared by an inbound message and the replies it caused. */
  traceId: z.string(),
  eventType: z.enum(EVENT_TYPES),
  direction: z.enum(EVENT_DIRECTIONS),
  instanceId: z.string(),
  channel: z.string(),
  /** The platform's message id. */
  externalId: z.string().nullable(),
  chatId: z.string(),
  /** Inbound: who sent it. Null for outbound events. */
  sender: z.object({ platformUserId: z.string(), name: z.string().nullable() }).nullable(),
  /** Outbound: to whom. */
  recipientId: z.string().nullable(),
  personId: z.string().nullable(),
  contentType: z.string(),
  textContent: z.string().nullable(),
  /** The full message; null once the retention period has purged it. */
  payload: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(EVENT_STATUSES),
  ingestMode: z.enum(['realtime', 'history']),
  /** Where and why processing failed; null when it did not. */
  error: z.object({ stage: z.string().nullable(), message: z.string().nullable() }).nullable(),
  /** Lifecycle steps, oldest first. */
  stages: z.array(eventStageSchema),
  timings: z.object({
    /** Time the agent took. */
    agentMs: z.number().nullable(),
    /** Inbound: from received to the last reply sent. */
    totalMs: z.number().nullable(),
  }),
  /** Outbound: the inbound event it answers. */
  replyToEventId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EventView = z.infer<typeof eventSchema>;

export function toEventView(row: MessageEvent): EventView {
  return {
    id: row.id,
    traceId: row.traceId,
    eventType: deriveEventType(row.direction, row.status),
    direction: row.direction,
    instanceId: row.instanceId,
    channel: row.channel,
    externalId: row.externalId,
    chatId: row.chatId,
    sender: row.senderId === null ? null : { platformUserId: row.senderId, name: row.senderName },
    recipientId: row.recipientId,
    personId: row.personId,
    contentType: row.contentType,
    textContent: row.textContent,
    payload: row.payload,
    status: row.status,
    ingestMode: row.ingestMode,
    error: row.errorStage === null && row.errorMessage === null ? null : { stage: row.errorStage, message: row.errorMessage },
    stages: row.stages ?? [],
    timings: { agentMs: row.agentMs, totalMs: row.totalMs },
    replyToEventId: row.replyToEventId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
