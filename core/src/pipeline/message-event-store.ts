import { v7 as timeOrderedId } from 'uuid';
import type { InboundMessage, MessageContent } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { preparedSqlOf, type PreparedSql } from '../db/prepared-sql.js';
import { describeContent } from './describe-content.js';
import { CLAIM_EVENT, eventFromRow, FINISH_EVENT, INSERT_EVENT, insertParams } from './message-event-sql.js';
import { MessageEventSchema, type EventStage, type EventStatus, type MessageEvent } from '../db/entities/message-event.js';

export const stage = (name: string, extra: { ms?: number; detail?: string } = {}): EventStage => ({ stage: name, at: new Date().toISOString(), ...extra });

/**
 * A complete new row: every column set here, since a native insert runs no entity hooks. Ids
 * (and trace ids) are UUIDv7: time-ordered, so each insert lands at the right edge of the id and
 * trace indexes instead of dirtying a random page of each (fewer pages written per commit).
 */
function newEvent(fields: Omit<MessageEvent, 'id' | 'createdAt' | 'updatedAt'>): MessageEvent {
  const now = new Date();
  return { id: timeOrderedId(), createdAt: now, updatedAt: now, ...fields };
}

export interface EventOutcome {
  status: EventStatus;
  /** The complete stage list. */
  stages: EventStage[];
  personId?: string;
  externalId?: string;
  errorStage?: string;
  errorMessage?: string;
  agentMs?: number;
  totalMs?: number;
}

/**
 * Writes the message events: inbound rows (idempotent per platform id), outbound rows, and their
 * lifecycle. What every message runs (insert, claim, finish) goes through prepared statements
 * (`message-event-sql.ts`); the rest through MikroORM.
 */
/**
 * Inbound events that are kept and traced but never become an agent turn: history imports, and
 * platform events about earlier messages (reactions, edits, deletes), which an agent should not
 * answer as if they were new messages.
 */
function whyNotRouted(message: InboundMessage): string | undefined {
  if (message.ingestMode === 'history') return 'history sync';
  if (message.change) return `${message.change.kind} of ${message.change.targetId}`;
  if (message.content.type === 'reaction') return 'reaction';
  return undefined;
}

/** How far an outbound message got; a later report of an earlier step does not move it back. */
const DELIVERY_RANK: Partial<Record<EventStatus, number>> = { sending: 0, sent: 1, delivered: 2, read: 3 };

export class MessageEventStore {
  private readonly sql: PreparedSql;

  constructor(private readonly db: Database) {
    this.sql = preparedSqlOf(db);
  }

  /** Stores an inbound message once per (instance, platform message id); a redelivery returns the first row. */
  async insertInbound(input: { instanceId: string; channel: string; message: InboundMessage }): Promise<{ event: MessageEvent; duplicate: boolean }> {
    const { message } = input;
    const notRouted = whyNotRouted(message);
    const event = newEvent({
      traceId: timeOrderedId(),
      direction: 'inbound',
      instanceId: input.instanceId,
      channel: input.channel,
      externalId: message.externalId,
      chatId: message.chatId,
      senderId: message.sender.id,
      senderName: message.sender.name ?? null,
      recipientId: null,
      personId: null,
      contentType: message.content.type,
      textContent: describeContent(message.content),
      payload: message as unknown as Record<string, unknown>,
      status: notRouted ? 'skipped' : 'received',
      errorStage: null,
      errorMessage: null,
      stages: [stage('received', notRouted ? { detail: `${notRouted}: stored, not routed` } : {})],
      ingestMode: message.ingestMode,
      replyToEventId: null,
      agentMs: null,
      totalMs: null,
      leaseUntil: null,
    });
    if (await this.insert(event)) return { event, duplicate: false };
    const existing = await this.db.fork().findOneOrFail(MessageEventSchema, { instanceId: input.instanceId, direction: 'inbound', externalId: message.externalId });
    return { event: existing, duplicate: true };
  }

  async insertOutbound(input: { traceId: string; replyToEventId?: string | null; instanceId: string; channel: string; to: string; content: MessageContent; personId?: string | null }): Promise<MessageEvent> {
    const event = newEvent({
      traceId: input.traceId,
      direction: 'outbound',
      instanceId: input.instanceId,
      channel: input.channel,
      externalId: null,
      chatId: input.to,
      senderId: null,
      senderName: null,
      recipientId: input.to,
      personId: input.personId ?? null,
      contentType: input.content.type,
      textContent: describeContent(input.content),
      payload: input.content as unknown as Record<string, unknown>,
      status: 'sending',
      errorStage: null,
      errorMessage: null,
      stages: [stage('channel_send')],
      ingestMode: 'realtime',
      replyToEventId: input.replyToEventId ?? null,
      agentMs: null,
      totalMs: null,
      leaseUntil: null,
    });
    if (!(await this.insert(event))) throw new Error(`outbound event ${event.id} was not stored (conflicting row)`);
    return event;
  }

  /**
   * One prepared INSERT (no transaction around it). False when a row with the same instance,
   * direction and platform message id exists (the unique key): nothing was written.
   */
  private async insert(event: MessageEvent): Promise<boolean> {
    return (await this.sql.run(INSERT_EVENT, insertParams(event))) === 1;
  }

  get(id: string): Promise<MessageEvent | null> {
    return this.db.fork().findOne(MessageEventSchema, { id });
  }

  /**
   * Takes ownership of an inbound event for `leaseMs`: only one worker processes it. Succeeds for a
   * fresh event and for one whose previous owner's lease ran out (a crashed worker).
   */
  async claim(id: string, leaseMs: number): Promise<MessageEvent | null> {
    const now = new Date();
    const [row] = await this.sql.all(CLAIM_EVENT, [new Date(now.getTime() + leaseMs), now, id, now]);
    return row ? eventFromRow(row) : null;
  }

  /** Extends the leases this worker holds, so nobody takes over events still in its hands. */
  async renewLeases(ids: readonly string[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.fork().nativeUpdate(MessageEventSchema, { id: { $in: [...ids] }, status: 'processing' }, { leaseUntil: new Date(Date.now() + leaseMs) });
  }

  /**
   * Writes an event's outcome in one statement. The caller owns the event (its lease), so it
   * holds the whole stage list and no read is needed; the lease is released.
   */
  async finish(id: string, o: EventOutcome): Promise<void> {
    await this.sql.run(FINISH_EVENT, [o.status, JSON.stringify(o.stages), o.personId, o.externalId, o.errorStage, o.errorMessage, o.agentMs, o.totalMs, new Date(), id]);
  }

  /** Updates outbound events by platform id (delivery receipts). */
  async updateByExternalId(instanceId: string, externalId: string, status: EventStatus, detail?: string): Promise<MessageEvent | null> {
    const em = this.db.fork();
    const event = await em.findOne(MessageEventSchema, { instanceId, direction: 'outbound', externalId });
    if (!event) return null;
    // Platforms report out of order (read before delivered): the stage is kept, the status never goes back.
    if (DELIVERY_RANK[status] === undefined || DELIVERY_RANK[status] > (DELIVERY_RANK[event.status] ?? -1)) event.status = status;
    event.stages = [...event.stages, stage(status, detail ? { detail } : {})];
    if (status === 'failed') {
      event.errorStage = 'delivery';
      event.errorMessage = detail ?? 'platform reported failure';
    }
    await em.flush();
    return event;
  }

  /**
   * Inbound realtime events nobody is working on, oldest first: received but not routed within
   * `graceMs` (their publication was lost), or processing with an expired lease (a crashed worker).
   */
  pendingInbound(graceMs: number, limit = 500): Promise<MessageEvent[]> {
    const now = new Date();
    const stale = new Date(now.getTime() - graceMs);
    return this.db.fork().find(
      MessageEventSchema,
      {
        direction: 'inbound',
        ingestMode: 'realtime',
        $or: [{ status: 'received', createdAt: { $lt: stale } }, { status: 'processing', $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] }],
      },
      { orderBy: { createdAt: 'asc', id: 'asc' }, limit },
    );
  }
}
