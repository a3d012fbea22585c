import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMessage } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { MessageEventSchema } from '../db/entities/message-event.js';
import type { Dialect } from '../db/storage.js';
import { requireServiceUrl } from '../testing/require-service.js';
import { createTestDatabase } from '../testing/test-database.js';
import { MessageEventStore, stage } from './message-event-store.js';

const postgres = requireServiceUrl('DATABASE_URL');

const inbound = (externalId: string, text = 'hello'): InboundMessage =>
  ({ externalId, chatId: 'chat-1', sender: { id: 'user-1', name: 'Ana' }, content: { type: 'text', text }, timestamp: '2026-11-25T00:00:00.000Z', ingestMode: 'realtime' }) as InboundMessage;

// The store writes every message's rows through prepared statements on the ORM's connection
// (message-event-sql.ts); these check they mean what the ORM reads back, on both dialects.
describe.each<Dialect>(['sqlite', 'postgresql'])('message event store (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('prepared statements', () => {
    let db: Database;
    let store: MessageEventStore;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.fork().nativeDelete(MessageEventSchema, {});
      store = new MessageEventStore(db);
    });

    it('stores an inbound message that the ORM reads back field for field', async () => {
      const message = inbound('ext-1');
      const { event, duplicate } = await store.insertInbound({ instanceId: 'inst-1', channel: 'webhook', message });
      expect(duplicate).toBe(false);
      const read = await store.get(event.id);
      expect(read).toMatchObject({
        id: event.id,
        traceId: event.traceId,
        direction: 'inbound',
        instanceId: 'inst-1',
        externalId: 'ext-1',
        chatId: 'chat-1',
        senderId: 'user-1',
        senderName: 'Ana',
        contentType: 'text',
        textContent: 'hello',
        status: 'received',
        payload: message,
        stages: event.stages,
        leaseUntil: null,
      });
      expect(read!.createdAt.getTime()).toBe(event.createdAt.getTime());
    });

    it('stores concurrent copies of one platform message once, and gives the copies its id', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => store.insertInbound({ instanceId: 'inst-1', channel: 'webhook', message: inbound('ext-dup') })));
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
      expect(await db.fork().count(MessageEventSchema, { externalId: 'ext-dup' })).toBe(1);
    });

    it('lets one worker claim an event, returns the stored row, and lets another take it over once the lease ran out', async () => {
      const { event } = await store.insertInbound({ instanceId: 'inst-1', channel: 'webhook', message: inbound('ext-claim') });
      const claimed = await store.claim(event.id, 60_000);
      expect(claimed).toMatchObject({ id: event.id, status: 'processing', payload: inbound('ext-claim'), stages: event.stages });
      expect(claimed!.createdAt.getTime()).toBe(event.createdAt.getTime());
      expect(claimed!.leaseUntil!.getTime()).toBeGreaterThan(Date.now());
      expect(await store.claim(event.id, 60_000)).toBeNull();

      await db.fork().nativeUpdate(MessageEventSchema, { id: event.id }, { leaseUntil: new Date(Date.now() - 1_000) });
      expect((await store.claim(event.id, 60_000))?.id).toBe(event.id);
      expect(await store.claim('no-such-event', 60_000)).toBeNull();
    });

    it('finishes an event: sets what the outcome has, keeps the rest, releases the lease; finished events cannot be claimed', async () => {
      const { event } = await store.insertInbound({ instanceId: 'inst-1', channel: 'webhook', message: inbound('ext-finish') });
      await store.claim(event.id, 60_000);
      const stages = [...event.stages, stage('failed', { detail: 'agent_request: boom' })];
      await store.finish(event.id, { status: 'failed', stages, personId: 'person-1', errorStage: 'agent_request', errorMessage: 'boom', agentMs: 12, totalMs: 34 });
      await store.finish(event.id, { status: 'failed', stages });
      const read = await store.get(event.id);
      expect(read).toMatchObject({ status: 'failed', stages, personId: 'person-1', errorStage: 'agent_request', errorMessage: 'boom', agentMs: 12, totalMs: 34, externalId: 'ext-finish', leaseUntil: null });
      expect(await store.claim(event.id, 60_000)).toBeNull();
    });

    it('stores outbound rows and their outcome with the platform id', async () => {
      const out = await store.insertOutbound({ traceId: 'trace-1', replyToEventId: 'in-1', instanceId: 'inst-1', channel: 'webhook', to: 'chat-1', content: { type: 'text', text: 'hi' }, personId: null });
      await store.finish(out.id, { status: 'sent', externalId: 'platform-9', stages: [...out.stages, stage('sent', { ms: 3 })] });
      expect(await store.get(out.id)).toMatchObject({ direction: 'outbound', status: 'sent', externalId: 'platform-9', recipientId: 'chat-1', replyToEventId: 'in-1', payload: { type: 'text', text: 'hi' } });
      expect((await store.updateByExternalId('inst-1', 'platform-9', 'delivered'))?.status).toBe('delivered');
    });

    it('never moves a delivery status back when the platform reports out of order', async () => {
      const out = await store.insertOutbound({ traceId: 'trace-2', replyToEventId: null, instanceId: 'inst-1', channel: 'webhook', to: 'chat-2', content: { type: 'text', text: 'hi' }, personId: null });
      await store.finish(out.id, { status: 'sent', externalId: 'platform-10', stages: out.stages });
      await store.updateByExternalId('inst-1', 'platform-10', 'read');
      const late = await store.updateByExternalId('inst-1', 'platform-10', 'delivered');
      expect(late?.status).toBe('read');
      expect(late?.stages.map((s) => s.stage).slice(-2)).toEqual(['read', 'delivered']);
    });
  });
});
