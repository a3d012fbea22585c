import { dateColumn, jsonColumn, type SqlStatement } from '../db/prepared-sql.js';
import type { EventStage, EventStatus, MessageEvent } from '../db/entities/message-event.js';
import type { JsonObject } from '../db/entities/instance.js';

/**
 * The statements every message runs on `message_events` (see `MessageEventStore`), as prepared
 * statements on both dialects. Columns follow `MessageEventSchema` and its migrations.
 */

const COLUMNS = [
  'id', 'trace_id', 'direction', 'instance_id', 'channel', 'external_id', 'chat_id', 'sender_id', 'sender_name', 'recipient_id',
  'person_id', 'content_type', 'text_content', 'payload', 'status', 'error_stage', 'error_message', 'stages', 'ingest_mode',
  'reply_to_event_id', 'agent_ms', 'total_ms', 'lease_until', 'created_at', 'updated_at',
] as const;

/** A new row; a row with the same (instance, direction, platform id) makes it a no-op (0 rows changed). */
export const INSERT_EVENT: SqlStatement = {
  name: 'event_insert',
  sql: `insert into message_events (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')}) on conflict do nothing`,
};

export function insertParams(e: MessageEvent): unknown[] {
  return [
    e.id, e.traceId, e.direction, e.instanceId, e.channel, e.externalId, e.chatId, e.senderId, e.senderName, e.recipientId,
    e.personId, e.contentType, e.textContent, e.payload === null ? null : JSON.stringify(e.payload), e.status, e.errorStage, e.errorMessage,
    JSON.stringify(e.stages), e.ingestMode, e.replyToEventId, e.agentMs, e.totalMs, e.leaseUntil, e.createdAt, e.updatedAt,
  ];
}

/** Params: lease until, now, id, now. Fresh events, and processing ones whose lease ran out. */
export const CLAIM_EVENT: SqlStatement = {
  name: 'event_claim',
  sql:
    `update message_events set status = 'processing', lease_until = ?, updated_at = ? where id = ? ` +
    `and (status = 'received' or (status = 'processing' and (lease_until is null or lease_until < ?))) returning ${COLUMNS.join(', ')}`,
};

/** Params: status, stages, person, external id, error stage, error message, agent ms, total ms, now, id. Unset fields keep their value. */
export const FINISH_EVENT: SqlStatement = {
  name: 'event_finish',
  sql:
    'update message_events set status = ?, stages = ?, person_id = coalesce(?, person_id), external_id = coalesce(?, external_id), ' +
    'error_stage = coalesce(?, error_stage), error_message = coalesce(?, error_message), agent_ms = coalesce(?, agent_ms), ' +
    'total_ms = coalesce(?, total_ms), lease_until = null, updated_at = ? where id = ?',
};

export function eventFromRow(r: Record<string, unknown>): MessageEvent {
  return {
    id: r.id as string,
    traceId: r.trace_id as string,
    direction: r.direction as MessageEvent['direction'],
    instanceId: r.instance_id as string,
    channel: r.channel as string,
    externalId: (r.external_id as string | null) ?? null,
    chatId: r.chat_id as string,
    senderId: (r.sender_id as string | null) ?? null,
    senderName: (r.sender_name as string | null) ?? null,
    recipientId: (r.recipient_id as string | null) ?? null,
    personId: (r.person_id as string | null) ?? null,
    contentType: r.content_type as string,
    textContent: (r.text_content as string | null) ?? null,
    payload: r.payload === null || r.payload === undefined ? null : jsonColumn<JsonObject>(r.payload),
    status: r.status as EventStatus,
    errorStage: (r.error_stage as string | null) ?? null,
    errorMessage: (r.error_message as string | null) ?? null,
    stages: jsonColumn<EventStage[]>(r.stages),
    ingestMode: r.ingest_mode as MessageEvent['ingestMode'],
    replyToEventId: (r.reply_to_event_id as string | null) ?? null,
    agentMs: r.agent_ms === null || r.agent_ms === undefined ? null : Number(r.agent_ms),
    totalMs: r.total_ms === null || r.total_ms === undefined ? null : Number(r.total_ms),
    leaseUntil: dateColumn(r.lease_until, true),
    createdAt: dateColumn(r.created_at),
    updatedAt: dateColumn(r.updated_at),
  };
}
