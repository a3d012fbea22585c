import { randomUUID } from 'node:crypto';
import type { Database } from '../db/create-database.js';
import { MessageEventSchema, type MessageEvent } from '../db/entities/message-event.js';

/** For tests: a `message_events` row with every field optional. */
export type SeedEvent = Partial<MessageEvent>;

export const SEED_INSTANCE_ID = '00000000-0000-4000-8000-000000000001';

/**
 * For tests: inserts events straight through the entity, filling what is left out with plain
 * defaults (an inbound text on WhatsApp, received now, `updatedAt` = `createdAt`). Returns the
 * rows in the order given.
 */
export async function seedEvents(db: Database, events: readonly SeedEvent[]): Promise<MessageEvent[]> {
  const em = db.fork();
  const rows = events.map((event) => {
    const createdAt = event.createdAt ?? new Date();
    const direction = event.direction ?? 'inbound';
    return em.create(MessageEventSchema, {
      id: randomUUID(),
      traceId: randomUUID(),
      direction,
      instanceId: SEED_INSTANCE_ID,
      channel: 'whatsapp',
      externalId: null,
      chatId: 'chat-1',
      senderId: direction === 'inbound' ? 'user-1' : null,
      senderName: null,
      recipientId: direction === 'outbound' ? 'user-1' : null,
      personId: null,
      contentType: 'text',
      textContent: null,
      payload: null,
      status: 'received',
      errorStage: null,
      errorMessage: null,
      stages: [],
      ingestMode: 'realtime',
      replyToEventId: null,
      agentMs: null,
      totalMs: null,
      leaseUntil: null,
      updatedAt: createdAt,
      ...event,
      createdAt,
    });
  });
  await em.flush();
  return rows;
}
