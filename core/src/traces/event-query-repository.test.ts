import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../db/create-database.js';
import { EVENT_DIRECTIONS, EVENT_STATUSES, MessageEventSchema, type MessageEvent } from '../db/entities/message-event.js';
import type { Dialect } from '../db/storage.js';
import { requireServiceUrl } from '../testing/require-service.js';
import { createTestDatabase } from '../testing/test-database.js';
import { EventQueryRepository, type EventFilters } from './event-query-repository.js';
import { EVENT_TYPES, deriveEventType, type EventType } from './event-view.js';
import { seedEvents, type SeedEvent } from './seed-events.js';
import { expectOmniError } from '../testing/expect-omni-error.js';

// PostgreSQL needs DATABASE_URL: without it the suite is skipped locally, and fails in CI.
const postgres = requireServiceUrl('DATABASE_URL');


const NOW = new Date('2025-01-30T12:00:00.000Z');
const at = (iso: string) => new Date(iso);
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const INST_1 = '11111111-1111-4111-8111-111111111111';
const INST_2 = '22222222-2222-4222-8222-222222222222';

/** Newest first, as the repository orders: createdAt desc, then id desc. */
const newestFirst = (a: MessageEvent, b: MessageEvent) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe.each<Dialect>(['sqlite', 'postgresql'])('event query repository (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('contract', () => {
    let db: Database;
    let events: EventQueryRepository;
    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      events = new EventQueryRepository(db, { now: () => NOW });
    });
    afterAll(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.fork().nativeDelete(MessageEventSchema, {});
    });

    const seed = (rows: SeedEvent[]) => seedEvents(db, rows);
    /** Every page of a listing, checking each page's size and total on the way. */
    const pageThrough = async (filters: EventFilters, limit: number, expectedTotal: number) => {
      const seen: MessageEvent[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await events.list(filters, { limit, ...(cursor === undefined ? {} : { cursor }) });
        expect(result.total).toBe(expectedTotal);
        expect(result.items.length).toBeLessThanOrEqual(limit);
        seen.push(...result.items);
        if (result.nextCursor === null) return seen;
        expect(result.items).toHaveLength(limit);
        expect(result.nextCursor).toMatch(/^[\w-]+$/);
        cursor = result.nextCursor;
      }
      throw new Error('pagination did not end');
    };

    describe('list filters', () => {
      /** Labelled by externalId, so results read as letters. Createdat: a oldest … j newest. */
      const fixture = (): SeedEvent[] => [
        { externalId: 'a', direction: 'inbound', channel: 'whatsapp', instanceId: INST_1, personId: 'p1', senderId: 'u1', senderName: 'Alice', textContent: 'Hello World', status: 'sent' },
        { externalId: 'b', direction: 'outbound', channel: 'whatsapp', instanceId: INST_1, personId: 'p1', recipientId: 'u1', textContent: 'Hi Alice', status: 'delivered' },
        { externalId: 'c', direction: 'inbound', channel: 'discord', instanceId: INST_2, personId: 'p2', senderId: 'u2', senderName: 'Bob', contentType: 'audio', status: 'failed', errorStage: 'agent_request' },
        { externalId: 'd', direction: 'inbound', channel: 'telegram', instanceId: INST_1, senderId: 'u3', senderName: 'Carol', textContent: 'get 50% off_sale', status: 'blocked' },
        { externalId: 'e', direction: 'outbound', channel: 'discord', instanceId: INST_2, personId: 'p2', textContent: 'thinking…', status: 'sending' },
        { externalId: 'f', direction: 'outbound', channel: 'telegram', instanceId: INST_1, textContent: 'sorry', status: 'failed', errorStage: 'channel_send' },
        { externalId: 'g', direction: 'outbound', channel: 'whatsapp', instanceId: INST_1, personId: 'p1', textContent: 'wow!', status: 'read' },
        { externalId: 'h', direction: 'outbound', channel: 'whatsapp', instanceId: INST_2, contentType: 'image', status: 'sent' },
        { externalId: 'i', direction: 'inbound', channel: 'whatsapp', instanceId: INST_2, senderId: 'u4', senderName: 'Dave 100%', textContent: '500 offers', status: 'processing' },
        { externalId: 'j', direction: 'inbound', channel: 'whatsapp', instanceId: INST_1, senderId: 'u5', senderName: 'Zoë', textContent: 'ÉCOLE ok', status: 'skipped', contentType: 'document' },
      ].map((row, i) => ({ ...row, createdAt: hoursAgo(20 - i) }) as SeedEvent);

      /** The labels of every matching event, newest first; also checks `total`. */
      const labels = async (filters: EventFilters): Promise<string> => {
        const page = await events.list(filters, { limit: 500 });
        expect(page.total).toBe(page.items.length);
        expect(page.nextCursor).toBeNull();
        return page.items.map((e) => e.externalId).join('');
      };

      beforeEach(async () => {
        await seed(fixture());
      });

      it('lists everything newest first with the total', async () => {
        expect(await labels({})).toBe('jihgfedcba');
        const first = await events.list({}, { limit: 3 });
        expect(first.items.map((e) => e.externalId)).toEqual(['j', 'i', 'h']);
        expect(first.total).toBe(10);
        expect(first.nextCursor).not.toBeNull();
        expect((await events.list()).items).toHaveLength(10);
      });

      it('filters by each field alone', async () => {
        expect(await labels({ channel: ['telegram'] })).toBe('fd');
        expect(await labels({ channel: ['discord', 'telegram'] })).toBe('fedc');
        expect(await labels({ channel: [] })).toBe('jihgfedcba');
        expect(await labels({ instanceId: INST_2 })).toBe('ihec');
        expect(await labels({ personId: 'p1' })).toBe('gba');
        expect(await labels({ direction: 'inbound' })).toBe('jidca');
        expect(await labels({ direction: 'outbound' })).toBe('hgfeb');
        expect(await labels({ contentType: ['audio', 'image'] })).toBe('hc');
        expect(await labels({ contentType: ['text'] })).toBe('igfedba');
        expect(await labels({ since: hoursAgo(13) })).toBe('jih');
        expect(await labels({ until: hoursAgo(18) })).toBe('ba');
        expect(await labels({ since: hoursAgo(16), until: hoursAgo(13) })).toBe('gfe');
        expect(await labels({ since: hoursAgo(12) })).toBe('ji');
        expect(await labels({ instanceId: 'nobody' })).toBe('');
      });

      it('filters by event type', async () => {
        expect(await labels({ eventType: ['message.received'] })).toBe('jia');
        expect(await labels({ eventType: ['message.blocked'] })).toBe('d');
        expect(await labels({ eventType: ['message.failed'] })).toBe('fc');
        expect(await labels({ eventType: ['message.sending'] })).toBe('e');
        expect(await labels({ eventType: ['message.sent'] })).toBe('h');
        expect(await labels({ eventType: ['message.delivered'] })).toBe('b');
        expect(await labels({ eventType: ['message.read'] })).toBe('g');
        expect(await labels({ eventType: ['message.sent', 'message.read', 'message.sent'] })).toBe('hg');
        await expectOmniError(events.list({ eventType: ['message.bogus' as EventType] }), 'VALIDATION_ERROR');
      });

      it('combines filters with AND', async () => {
        expect(await labels({ channel: ['whatsapp', 'telegram'], direction: 'outbound', eventType: ['message.failed', 'message.read'] })).toBe('gf');
        expect(await labels({ direction: 'inbound', eventType: ['message.failed'] })).toBe('c');
        expect(await labels({ instanceId: INST_1, contentType: ['text'], since: hoursAgo(17), search: 'o' })).toBe('gfd');
        expect(await labels({ personId: 'p1', direction: 'inbound' })).toBe('a');
        expect(await labels({ channel: ['discord'], eventType: ['message.sent'] })).toBe('');
      });

      it('searches text and sender name case-insensitively, with LIKE wildcards taken literally', async () => {
        expect(await labels({ search: 'hello' })).toBe('a');
        expect(await labels({ search: 'ALICE' })).toBe('ba'); // a by sender name, b by text
        expect(await labels({ search: 'dave' })).toBe('i');
        expect(await labels({ search: '%' })).toBe('id');
        expect(await labels({ search: '0%' })).toBe('id'); // unescaped, '0%' would match "500 offers" by text… and more
        expect(await labels({ search: '_' })).toBe('d');
        expect(await labels({ search: 'f_s' })).toBe('d');
        expect(await labels({ search: 'f%s' })).toBe('');
        expect(await labels({ search: '!' })).toBe('g');
        expect(await labels({ search: '' })).toBe('jihgfedcba');
        // Beyond ASCII, PostgreSQL folds case by the database's LC_CTYPE (not in plain C); SQLite never does.
        const foldsUnicode = dialect === 'postgresql' && !/^(C|POSIX)$/i.test(String((await db.fork().getConnection().execute<Array<{ lc_ctype: string }>>('show lc_ctype'))[0]?.lc_ctype));
        expect(await labels({ search: 'école' })).toBe(foldsUnicode ? 'j' : '');
        expect(await labels({ search: 'Zoë' })).toBe('j');
      });

      it('rejects a malformed cursor, limit or date', async () => {
        await expectOmniError(events.list({}, { cursor: 'not-a-cursor' }), 'VALIDATION_ERROR');
        await expectOmniError(events.list({}, { cursor: Buffer.from('["x","y"]').toString('base64url') }), 'VALIDATION_ERROR');
        for (const limit of [0, -1, 1.5, 501]) await expectOmniError(events.list({}, { limit }), 'VALIDATION_ERROR');
        await expectOmniError(events.list({ since: new Date('garbage') }), 'VALIDATION_ERROR');
        expect((await events.list({}, { limit: 500 })).items).toHaveLength(10);
      });
    });

    it('maps every direction and status to exactly one event type, in SQL as in deriveEventType', async () => {
      const rows = await seed(EVENT_DIRECTIONS.flatMap((direction) => EVENT_STATUSES.map((status) => ({ direction, status, externalId: `${direction}:${status}` }))));
      const byType = new Map<EventType, string[]>();
      for (const type of EVENT_TYPES) {
        const page = await events.list({ eventType: [type] }, { limit: 500 });
        byType.set(type, page.items.map((e) => e.externalId ?? '').sort());
        const expected = rows.filter((r) => deriveEventType(r.direction, r.status) === type).map((r) => r.externalId ?? '');
        expect(byType.get(type)).toEqual(expected.sort());
      }
      expect([...byType.values()].flat().sort()).toEqual(rows.map((r) => r.externalId).sort());
      // The mapping itself, spelled out.
      expect(byType.get('message.received')).toEqual(['inbound:delivered', 'inbound:processing', 'inbound:read', 'inbound:received', 'inbound:sending', 'inbound:sent', 'inbound:skipped']);
      expect(byType.get('message.blocked')).toEqual(['inbound:blocked']);
      expect(byType.get('message.failed')).toEqual(['inbound:failed', 'outbound:failed']);
      expect(byType.get('message.sending')).toEqual(['outbound:blocked', 'outbound:processing', 'outbound:received', 'outbound:sending', 'outbound:skipped']);
      expect(byType.get('message.sent')).toEqual(['outbound:sent']);
      expect(byType.get('message.delivered')).toEqual(['outbound:delivered']);
      expect(byType.get('message.read')).toEqual(['outbound:read']);
    });

    describe('paging', () => {
      // 23 events over four timestamps, so pages break inside runs of equal createdAt.
      const seedRuns = async () => {
        const rows = await seed(Array.from({ length: 23 }, (_, i) => ({ createdAt: hoursAgo(i % 4), direction: i % 3 === 0 ? 'outbound' : 'inbound' }) as SeedEvent));
        return [...rows].sort(newestFirst);
      };

      it('pages newest first by createdAt then id, with no gaps or duplicates, for any page size', async () => {
        const expected = (await seedRuns()).map((e) => e.id);
        expect(new Set(expected).size).toBe(23);
        for (const limit of [1, 2, 5, 6, 22, 23, 24, 500]) {
          expect((await pageThrough({}, limit, 23)).map((e) => e.id)).toEqual(expected);
        }
        expect((await events.list({}, { limit: 23 })).nextCursor).toBeNull();
        expect((await events.list({}, { limit: 22 })).nextCursor).not.toBeNull();
      });

      it('pages through filtered results, keeping the filtered total', async () => {
        const inbound = (await seedRuns()).filter((e) => e.direction === 'inbound').map((e) => e.id);
        expect(inbound).toHaveLength(15);
        for (const limit of [1, 4, 15]) {
          expect((await pageThrough({ direction: 'inbound' }, limit, 15)).map((e) => e.id)).toEqual(inbound);
        }
      });

      it('keeps its place when newer events arrive between pages', async () => {
        const expected = (await seedRuns()).map((e) => e.id);
        const first = await events.list({}, { limit: 10 });
        await seed([{ createdAt: NOW }, { createdAt: hoursAgo(-1) }]);
        const second = await events.list({}, { limit: 13, cursor: first.nextCursor ?? '' });
        expect([...first.items, ...second.items].map((e) => e.id)).toEqual(expected);
        expect(second.nextCursor).toBeNull();
        expect(second.total).toBe(25);
      });
    });

    it('gets an event with the rest of its trace, oldest first', async () => {
      const traceId = 'aaaaaaaa-0000-4000-8000-000000000001';
      const [inbound, reply2, reply1, other] = await seed([
        { traceId, direction: 'inbound', createdAt: hoursAgo(3), textContent: 'question', stages: [{ stage: 'received', at: hoursAgo(3).toISOString() }], agentMs: 120, totalMs: 900, status: 'sent' },
        { traceId, direction: 'outbound', createdAt: hoursAgo(1), textContent: 'part 2', status: 'sent' },
        { traceId, direction: 'outbound', createdAt: hoursAgo(2), textContent: 'part 1', status: 'delivered' },
        { direction: 'inbound', createdAt: hoursAgo(2) },
      ]);
      if (!inbound || !reply1 || !reply2 || !other) throw new Error('seeding failed');
      const found = await events.get(inbound.id);
      expect(found?.event).toMatchObject({ id: inbound.id, traceId, textContent: 'question', agentMs: 120, totalMs: 900, stages: [{ stage: 'received' }] });
      expect(found?.trace.map((e) => e.id)).toEqual([reply1.id, reply2.id]);
      expect((await events.get(reply2.id))?.trace.map((e) => e.id)).toEqual([inbound.id, reply1.id]);
      expect(await events.get(other.id)).toMatchObject({ event: { id: other.id }, trace: [] });
      expect(await events.get('00000000-0000-0000-0000-000000000000')).toBeNull();
    });

    it('lists events by sender, newest first, with total and hasMore', async () => {
      const rows = await seed([
        { senderId: 'u1', instanceId: INST_1, createdAt: hoursAgo(4) },
        { senderId: 'u1', instanceId: INST_1, createdAt: hoursAgo(3) },
        { senderId: 'u1', instanceId: INST_2, createdAt: hoursAgo(2) },
        { senderId: 'u1', instanceId: INST_1, createdAt: hoursAgo(1) },
        { senderId: 'u2', instanceId: INST_1, createdAt: hoursAgo(1) },
        { direction: 'outbound', recipientId: 'u1', instanceId: INST_1, createdAt: hoursAgo(1) },
      ]);
      const ids = (...indexes: number[]) => indexes.map((i) => rows[i]?.id);
      const two = await events.bySender('u1', { limit: 2 });
      expect(two.items.map((e) => e.id)).toEqual(ids(3, 2));
      expect(two.meta).toEqual({ total: 4, hasMore: true });
      expect((await events.bySender('u1')).items.map((e) => e.id)).toEqual(ids(3, 2, 1, 0));
      expect((await events.bySender('u1')).meta).toEqual({ total: 4, hasMore: false });
      const inst2 = await events.bySender('u1', { instanceId: INST_2 });
      expect(inst2.items.map((e) => e.id)).toEqual(ids(2));
      expect(inst2.meta).toEqual({ total: 1, hasMore: false });
      expect(await events.bySender('nobody')).toEqual({ items: [], meta: { total: 0, hasMore: false } });
      await expectOmniError(events.bySender('u1', { limit: 0 }), 'VALIDATION_ERROR');
    });

    describe('analytics', () => {
      // NOW is 2025-01-30T12:00Z, so the default window starts at 2025-01-29T12:00Z.
      const dataset = (): SeedEvent[] => [
        // 2025-01-30 10:00 hour: 2 of 3 succeeded.
        { instanceId: INST_1, status: 'sent', totalMs: 1000, agentMs: 400, createdAt: at('2025-01-30T10:05:00.000Z') },
        { instanceId: INST_1, status: 'delivered', totalMs: 3000, agentMs: 800, createdAt: at('2025-01-30T10:59:59.999Z') },
        { instanceId: INST_1, status: 'failed', contentType: 'audio', errorStage: 'agent_request', errorMessage: 'timeout', createdAt: at('2025-01-30T10:30:00.000Z') },
        // 11:00 hour: 1 of 4 succeeded.
        { instanceId: INST_2, status: 'read', totalMs: 2000, agentMs: 600, createdAt: at('2025-01-30T11:00:00.000Z') },
        { instanceId: INST_2, status: 'blocked', contentType: 'image', errorStage: 'access', createdAt: at('2025-01-30T11:20:00.000Z') },
        { instanceId: INST_2, status: 'failed', errorStage: 'channel_send', totalMs: 5000, agentMs: 700, createdAt: at('2025-01-30T11:40:00.000Z') },
        { instanceId: INST_1, status: 'processing', createdAt: at('2025-01-30T11:50:00.000Z') },
        // The window's first millisecond.
        { instanceId: INST_1, status: 'sent', totalMs: 1000, agentMs: 100, createdAt: at('2025-01-29T12:00:00.000Z') },
        // Not counted by default: just before the window, outbound, history.
        { instanceId: INST_1, status: 'sent', totalMs: 9000, agentMs: 9000, createdAt: at('2025-01-29T11:59:59.999Z') },
        { instanceId: INST_1, direction: 'outbound', status: 'failed', errorStage: 'channel_send', totalMs: 9000, createdAt: at('2025-01-30T10:10:00.000Z') },
        { instanceId: INST_1, status: 'skipped', ingestMode: 'history', createdAt: at('2025-01-30T10:15:00.000Z') },
      ];

      beforeEach(async () => {
        await seed(dataset());
      });

      it('sums the last 24 hours of inbound realtime messages by default', async () => {
        const result = await events.analytics();
        expect(result).toEqual({
          totalMessages: 8,
          successfulMessages: 4,
          failedMessages: 2,
          successRate: 50,
          avgProcessingTimeMs: 2400, // (1000 + 3000 + 2000 + 5000 + 1000) / 5
          avgAgentTimeMs: 520, // (400 + 800 + 600 + 700 + 100) / 5
          messageTypes: { text: 6, audio: 1, image: 1 },
          errorStages: { agent_request: 1, access: 1, channel_send: 1 },
          instances: { [INST_1]: 5, [INST_2]: 3 },
          byHour: [
            { hour: '2025-01-29T12:00:00Z', count: 1, successRate: 100 },
            { hour: '2025-01-30T10:00:00Z', count: 3, successRate: 66.7 },
            { hour: '2025-01-30T11:00:00Z', count: 4, successRate: 25 },
          ],
          period: { since: at('2025-01-29T12:00:00.000Z'), until: null },
        });
      });

      it('narrows to one instance', async () => {
        expect(await events.analytics({ instanceId: INST_2 })).toMatchObject({
          totalMessages: 3,
          successfulMessages: 1,
          failedMessages: 1,
          successRate: 33.3,
          avgProcessingTimeMs: 3500,
          avgAgentTimeMs: 650,
          messageTypes: { text: 2, image: 1 },
          errorStages: { access: 1, channel_send: 1 },
          instances: { [INST_2]: 3 },
          byHour: [{ hour: '2025-01-30T11:00:00Z', count: 3, successRate: 33.3 }],
        });
      });

      it('takes since (inclusive) and until (exclusive), or everything', async () => {
        expect(await events.analytics({ since: at('2025-01-30T10:00:00Z'), until: at('2025-01-30T11:00:00Z') })).toMatchObject({
          totalMessages: 3,
          successfulMessages: 2,
          successRate: 66.7,
          byHour: [{ hour: '2025-01-30T10:00:00Z', count: 3, successRate: 66.7 }],
          period: { since: at('2025-01-30T10:00:00Z'), until: at('2025-01-30T11:00:00Z') },
        });
        // until alone: the 24 hours before it.
        expect(await events.analytics({ until: at('2025-01-30T11:00:00Z') })).toMatchObject({
          totalMessages: 5,
          byHour: [
            { hour: '2025-01-29T11:00:00Z', count: 1, successRate: 100 },
            { hour: '2025-01-29T12:00:00Z', count: 1, successRate: 100 },
            { hour: '2025-01-30T10:00:00Z', count: 3, successRate: 66.7 },
          ],
          period: { since: at('2025-01-29T11:00:00Z'), until: at('2025-01-30T11:00:00Z') },
        });
        const all = await events.analytics({ allTime: true, since: at('2025-01-30T11:00:00Z') });
        expect(all).toMatchObject({ totalMessages: 9, successfulMessages: 5, failedMessages: 2, successRate: 55.6, avgProcessingTimeMs: 3500, period: { since: null, until: null } });
        expect(all.byHour.map((h) => h.hour)).toEqual(['2025-01-29T11:00:00Z', '2025-01-29T12:00:00Z', '2025-01-30T10:00:00Z', '2025-01-30T11:00:00Z']);
      });

      it('answers zeros when nothing matches', async () => {
        expect(await events.analytics({ instanceId: 'nobody' })).toEqual({
          totalMessages: 0,
          successfulMessages: 0,
          failedMessages: 0,
          successRate: 0,
          avgProcessingTimeMs: 0,
          avgAgentTimeMs: 0,
          messageTypes: {},
          errorStages: {},
          instances: {},
          byHour: [],
          period: { since: at('2025-01-29T12:00:00Z'), until: null },
        });
      });
    });

    describe('retention', () => {
      const seedAges = () =>
        seed([
          { externalId: 'new', createdAt: daysAgo(10), payload: { raw: 'new' } },
          { externalId: 'edge', createdAt: daysAgo(30), payload: { raw: 'edge' } },
          { externalId: 'old', createdAt: new Date(daysAgo(30).getTime() - 1), payload: { raw: 'old' }, textContent: 'kept text' },
          { externalId: 'older', direction: 'outbound', createdAt: daysAgo(40), payload: { raw: 'older' } },
          { externalId: 'bare', createdAt: daysAgo(50), payload: null },
        ]);
      const remaining = async () => (await db.fork().find(MessageEventSchema, {}, { orderBy: { createdAt: 'desc' } })).map((e) => e.externalId);

      it('counts in a dry run (the default) and deletes otherwise, strictly before the cutoff', async () => {
        await seedAges();
        const cutoffDate = daysAgo(30);
        expect(await events.cleanup({ olderThanDays: 30 })).toEqual({ dryRun: true, eventsToDelete: 3, cutoffDate });
        expect(await events.cleanup({ olderThanDays: 30, dryRun: true })).toEqual({ dryRun: true, eventsToDelete: 3, cutoffDate });
        expect(await remaining()).toEqual(['new', 'edge', 'old', 'older', 'bare']);

        expect(await events.cleanup({ olderThanDays: 45, dryRun: false })).toEqual({ dryRun: false, eventsToDelete: 1, cutoffDate: daysAgo(45), deleted: 1 });
        expect(await events.cleanup({ olderThanDays: 30, dryRun: false })).toEqual({ dryRun: false, eventsToDelete: 2, cutoffDate, deleted: 2 });
        expect(await remaining()).toEqual(['new', 'edge']);
        expect(await events.cleanup({ olderThanDays: 30, dryRun: false })).toEqual({ dryRun: false, eventsToDelete: 0, cutoffDate, deleted: 0 });
      });

      it('rejects an age that is not a whole number of days from 1', async () => {
        for (const olderThanDays of [0, -1, 1.5, Number.NaN, 36_501]) {
          await expectOmniError(events.cleanup({ olderThanDays }), 'VALIDATION_ERROR');
          await expectOmniError(events.purgePayloads(olderThanDays), 'VALIDATION_ERROR');
        }
      });

      it('purges payloads of old events, keeping the events', async () => {
        await seedAges();
        expect(await events.purgePayloads(30)).toBe(2);
        const rows = await db.fork().find(MessageEventSchema, {}, { orderBy: { createdAt: 'desc' } });
        expect(rows.map((e) => [e.externalId, e.payload])).toEqual([
          ['new', { raw: 'new' }],
          ['edge', { raw: 'edge' }],
          ['old', null],
          ['older', null],
          ['bare', null],
        ]);
        expect(rows.find((e) => e.externalId === 'old')?.textContent).toBe('kept text');
        // Stored as SQL NULL (not JSON null), so a second purge finds nothing left to do.
        expect(await events.purgePayloads(30)).toBe(0);
        expect(await db.fork().count(MessageEventSchema, { payload: null })).toBe(3);
        expect(await events.purgePayloads(5)).toBe(2);
      });
    });
  });
});
