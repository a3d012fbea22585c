import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { InboundMessage, MessageContent } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { describeContent } from './describe-content.js';
import { MessageEventSchema, type EventStage, type EventStatus, type MessageEvent } from '../db/entities/message-event.js';

export const stage = (name: string, extra: { ms?: number; detail?: string } = {}): EventStage => ({ stage: name, at: new Date().toISOString(), ...extra });

/** A complete new row: every column set here, since a native insert runs no entity hooks. */
function newEvent(fields: Omit<MessageEvent, 'id' | 'createdAt' | 'updatedAt'>): MessageEvent {
  const now = new Date();
  return { id: randomUUID(), createdAt: now, updatedAt: now, ...fields };
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

/** Writes the message events: inbound rows (idempotent per platform id), outbound rows, and their lifecycle. */
export class MessageEventStore {
  constructor(private readonly db: Database) {}

  /** Stores an inbound message once per (instance, platform message id); a redelivery returns the first row. */
  async insertInbound(input: { instanceId: string; channel: string; message: InboundMessage }): Promise<{ event: MessageEvent; duplicate: boolean }> {
    const { message } = input;
    const history = message.ingestMode === 'history';
    const event = newEvent({
      traceId: randomUUID(),
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
      status: history ? 'skipped' : 'received',
      errorStage: null,
      errorMessage: null,
      stages: [stage('received', history ? { detail: 'history sync: stored, not routed' } : {})],
      ingestMode: message.ingestMode,
      replyToEventId: null,
      agentMs: null,
      totalMs: null,
      leaseUntil: null,
    });
    try {
      await this.insert(event);
      return { event, duplicate: false };
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      const existing = await this.db.fork().findOneOrFail(MessageEventSchema, { instanceId: input.instanceId, direction: 'inbound', externalId: message.externalId });
      return { event: existing, duplicate: true };
    }
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
    await this.insert(event);
    return event;
  }

  /**
   * One INSERT, without the transaction a unit-of-work flush would wrap around it. MikroORM's
   * native insert rewrites the data it is given (undefined → null, deep in JSON), and the payload
   * is the caller's live message, so it gets a copy.
   */
  private async insert(event: MessageEvent): Promise<void> {
    await this.db.fork().insert(MessageEventSchema, structuredClone(event));
  }

  get(id: string): Promise<MessageEvent | null> {
    return this.db.fork().findOne(MessageEventSchema, { id });
  }

  /**
   * Takes ownership of an inbound event for `leaseMs`: only one worker processes it. Succeeds for a
   * fresh event and for one whose previous owner's lease ran out (a crashed worker).
   */
  async claim(id: string, leaseMs: number): Promise<MessageEvent | null> {
    const em = this.db.fork();
    const now = new Date();
    const claimed = await em.nativeUpdate(
      MessageEventSchema,
      { id, $or: [{ status: 'received' }, { status: 'processing', leaseUntil: { $lt: now } }, { status: 'processing', leaseUntil: null }] },
      { status: 'processing', leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now },
    );
    return claimed === 1 ? em.findOne(MessageEventSchema, { id }) : null;
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
  async finish(id: string, outcome: EventOutcome): Promise<void> {
    await this.db.fork().nativeUpdate(MessageEventSchema, { id }, { ...outcome, leaseUntil: null, updatedAt: new Date() });
  }

  /** Updates outbound events by platform id (delivery receipts). */
  async updateByExternalId(instanceId: string, externalId: string, status: EventStatus, detail?: string): Promise<MessageEvent | null> {
    const em = this.db.fork();
    const event = await em.findOne(MessageEventSchema, { instanceId, direction: 'outbound', externalId });
    if (!event) return null;
    event.status = status;
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
