import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TestHttpClient } from '@omni/plugin-sdk/testing';
import type { Database } from '../../db/create-database.js';
import { MessageEventSchema, type MessageEvent } from '../../db/entities/message-event.js';
import type { Dialect } from '../../db/storage.js';
import { requireServiceUrl } from '../../testing/require-service.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { EventQueryRepository } from '../../traces/event-query-repository.js';
import { eventSchema } from '../../traces/event-view.js';
import { seedEvents } from '../../traces/seed-events.js';
import { startRouteTestServer, type RouteTestServer } from '../../testing/route-test-server.js';
import { cleanupResultSchema, eventAnalyticsSchema, eventRoutes, eventWithTraceSchema } from './event-routes.js';

// PostgreSQL needs DATABASE_URL: without it the suite is skipped locally, and fails in CI.
const postgres = requireServiceUrl('DATABASE_URL');

const NOW = new Date('2025-01-30T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const listSchema = z.object({ items: z.array(eventSchema), meta: z.object({ cursor: z.string().nullable(), hasMore: z.boolean(), total: z.number() }) });

describe.each<Dialect>(['sqlite', 'postgresql'])('event routes (%s)', (dialect) => {
  (dialect === 'postgresql' ? postgres.describe : describe)('over HTTP', () => {
    let db: Database;
    let server: RouteTestServer;
    let http: TestHttpClient;

    beforeAll(async () => {
      db = await createTestDatabase(dialect);
      server = await startRouteTestServer(eventRoutes({ events: new EventQueryRepository(db, { now: () => NOW }) }), { bodyLimit: '1mb' });
      http = new TestHttpClient(server.url);
    });
    afterAll(async () => {
      await server?.close();
      await db?.close();
    });

    let rows: MessageEvent[];
    const idOf = (label: string) => rows.find((r) => r.externalId === label)?.id;
    beforeEach(async () => {
      await db.fork().nativeDelete(MessageEventSchema, {});
      const traceId = 'aaaaaaaa-0000-4000-8000-000000000001';
      rows = await seedEvents(db, [
        { externalId: 'in', traceId, direction: 'inbound', channel: 'whatsapp', senderId: '5511999', senderName: 'Ana', textContent: 'price 100%?', status: 'sent', createdAt: hoursAgo(5), agentMs: 300, totalMs: 1200, stages: [{ stage: 'received', at: hoursAgo(5).toISOString() }, { stage: 'agent_request', at: hoursAgo(5).toISOString(), ms: 300 }], payload: { raw: true } },
        { externalId: 'out', traceId, direction: 'outbound', channel: 'whatsapp', recipientId: '5511999', textContent: 'it is 10', status: 'delivered', replyToEventId: null, createdAt: hoursAgo(4) },
        { externalId: 'fail', direction: 'inbound', channel: 'discord', senderId: 'd1', status: 'failed', errorStage: 'agent_request', errorMessage: 'timeout', contentType: 'audio', createdAt: hoursAgo(3) },
        { externalId: 'tg', direction: 'inbound', channel: 'telegram', senderId: '5511999', status: 'blocked', createdAt: hoursAgo(2) },
        { externalId: 'ancient', direction: 'inbound', channel: 'whatsapp', senderId: 'x', createdAt: new Date(NOW.getTime() - 40 * 86_400_000) },
      ]);
    });

    const labels = (body: { items: Array<{ externalId: string | null }> }) => body.items.map((e) => e.externalId).join(',');

    it('lists events with meta, pages with the cursor, and serialises every field', async () => {
      const res = await http.get('/api/v2/events?limit=2');
      expect(res.status).toBe(200);
      const first = listSchema.parse(res.body);
      expect(labels(first)).toBe('tg,fail');
      expect(first.meta).toEqual({ cursor: expect.any(String), hasMore: true, total: 5 });
      const second = listSchema.parse((await http.get(`/api/v2/events?limit=2&cursor=${first.meta.cursor}`)).body);
      expect(labels(second)).toBe('out,in');
      const third = listSchema.parse((await http.get(`/api/v2/events?limit=2&cursor=${second.meta.cursor}`)).body);
      expect(labels(third)).toBe('ancient');
      expect(third.meta).toEqual({ cursor: null, hasMore: false, total: 5 });

      expect(second.items[1]).toEqual({
        id: idOf('in'),
        traceId: 'aaaaaaaa-0000-4000-8000-000000000001',
        eventType: 'message.received',
        direction: 'inbound',
        instanceId: expect.any(String),
        channel: 'whatsapp',
        externalId: 'in',
        chatId: 'chat-1',
        sender: { platformUserId: '5511999', name: 'Ana' },
        recipientId: null,
        personId: null,
        contentType: 'text',
        textContent: 'price 100%?',
        payload: { raw: true },
        status: 'sent',
        ingestMode: 'realtime',
        error: null,
        stages: [
          { stage: 'received', at: hoursAgo(5).toISOString() },
          { stage: 'agent_request', at: hoursAgo(5).toISOString(), ms: 300 },
        ],
        timings: { agentMs: 300, totalMs: 1200 },
        replyToEventId: null,
        createdAt: hoursAgo(5).toISOString(),
        updatedAt: hoursAgo(5).toISOString(),
      });
    });

    it('takes list filters as repeated or comma-separated params', async () => {
      const get = async (query: string) => {
        const res = await http.get(`/api/v2/events?${query}`);
        expect(res.status).toBe(200);
        return labels(listSchema.parse(res.body));
      };
      expect(await get('channel=telegram&channel=discord')).toBe('tg,fail');
      expect(await get('channel=telegram,discord')).toBe('tg,fail');
      expect(await get('channel=telegram,discord&channel=whatsapp')).toBe('tg,fail,out,in,ancient');
      expect(await get('eventType=message.failed,message.blocked')).toBe('tg,fail');
      expect(await get('eventType=message.delivered')).toBe('out');
      expect(await get('contentType=audio')).toBe('fail');
      expect(await get('direction=outbound')).toBe('out');
      expect(await get(`since=${encodeURIComponent(hoursAgo(4).toISOString())}&until=${encodeURIComponent(hoursAgo(2).toISOString())}`)).toBe('fail,out');
      expect(await get('since=2025-01-30T09:30:00%2B01:00')).toBe('tg,fail'); // 08:30Z, with an offset
      expect(await get('until=2025-01-01')).toBe('ancient');
      expect(await get(`search=${encodeURIComponent('100%')}`)).toBe('in');
      expect(await get(`search=${encodeURIComponent('0%')}`)).toBe('in');
      expect(await get('search=ANA')).toBe('in');
      expect(await get('channel=whatsapp&direction=inbound&search=price')).toBe('in');
      expect(await get('channel=')).toBe('tg,fail,out,in,ancient');
    });

    it('answers bad query values with 400 VALIDATION_ERROR', async () => {
      for (const [query, path] of [
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['limit=ten', 'limit'],
        ['since=garbage', 'since'],
        ['until=2025-13-45', 'until'],
        ['direction=sideways', 'direction'],
        ['eventType=message.exploded', 'eventType.0'],
        [`since=${hoursAgo(1).toISOString()}&until=${hoursAgo(2).toISOString()}`, 'until'],
      ] as const) {
        const res = await http.get(`/api/v2/events?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error, query).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ in: 'query', path }] });
      }
      const badCursor = await http.get('/api/v2/events?cursor=nonsense');
      expect(badCursor.status).toBe(400);
      expect(badCursor.body).toEqual({ error: { code: 'VALIDATION_ERROR', message: 'invalid cursor' } });
    });

    it('gets one event with its trace, and 404 for an unknown id', async () => {
      const res = await http.get(`/api/v2/events/${idOf('in')}`);
      expect(res.status).toBe(200);
      const body = eventWithTraceSchema.parse(res.body);
      expect(body).toMatchObject({ id: idOf('in'), externalId: 'in', timings: { agentMs: 300, totalMs: 1200 } });
      expect(body.trace.map((e) => [e.externalId, e.eventType, e.direction])).toEqual([['out', 'message.delivered', 'outbound']]);

      const failed = eventWithTraceSchema.parse((await http.get(`/api/v2/events/${idOf('fail')}`)).body);
      expect(failed).toMatchObject({ eventType: 'message.failed', error: { stage: 'agent_request', message: 'timeout' }, trace: [] });

      const missing = await http.get('/api/v2/events/00000000-0000-0000-0000-000000000000');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ error: { code: 'NOT_FOUND', message: 'event 00000000-0000-0000-0000-000000000000 not found' } });
    });

    it('routes /events/analytics to analytics, not to /events/:id', async () => {
      const res = await http.get('/api/v2/events/analytics');
      expect(res.status).toBe(200);
      expect(eventAnalyticsSchema.parse(res.body)).toMatchObject({
        totalMessages: 3,
        successfulMessages: 1,
        failedMessages: 1,
        successRate: 33.3,
        avgProcessingTimeMs: 1200,
        avgAgentTimeMs: 300,
        messageTypes: { text: 2, audio: 1 },
        errorStages: { agent_request: 1 },
        byHour: [
          { hour: '2025-01-30T07:00:00Z', count: 1, successRate: 100 },
          { hour: '2025-01-30T09:00:00Z', count: 1, successRate: 0 },
          { hour: '2025-01-30T10:00:00Z', count: 1, successRate: 0 },
        ],
        period: { since: '2025-01-29T12:00:00.000Z', until: null },
      });
      expect((await http.get('/api/v2/events/analytics?allTime=true')).body).toMatchObject({ totalMessages: 4, period: { since: null, until: null } });
      expect((await http.get('/api/v2/events/analytics?allTime=false&since=2025-01-30T08:00:00Z&until=2025-01-30T10:00:00Z')).body).toMatchObject({ totalMessages: 1, failedMessages: 1 });
      expect((await http.get('/api/v2/events/analytics?instanceId=nobody')).body).toMatchObject({ totalMessages: 0, successRate: 0, byHour: [] });
      for (const query of ['allTime=maybe', 'since=yesterday', 'since=2025-01-30T10:00:00Z&until=2025-01-30T09:00:00Z']) {
        const bad = await http.get(`/api/v2/events/analytics?${query}`);
        expect(bad.status, query).toBe(400);
        expect(bad.body.error.code).toBe('VALIDATION_ERROR');
      }
    });

    it('lists events by sender', async () => {
      const res = await http.get('/api/v2/events/by-sender/5511999?limit=1');
      expect(res.status).toBe(200);
      const body = z.object({ items: z.array(eventSchema), meta: z.object({ total: z.number(), hasMore: z.boolean() }) }).parse(res.body);
      expect(labels(body)).toBe('tg');
      expect(body.meta).toEqual({ total: 2, hasMore: true });
      expect((await http.get('/api/v2/events/by-sender/5511999')).body.meta).toEqual({ total: 2, hasMore: false });
      expect((await http.get(`/api/v2/events/by-sender/5511999?instanceId=nobody`)).body).toEqual({ items: [], meta: { total: 0, hasMore: false } });
      expect((await http.get('/api/v2/events/by-sender/5511999?limit=0')).status).toBe(400);
    });

    it('cleans up: a dry run by default, deleting only with dryRun=false', async () => {
      const cutoffDate = new Date(NOW.getTime() - 30 * 86_400_000).toISOString();
      const count = () => db.fork().count(MessageEventSchema, {});

      for (const dryRun of ['', '&dryRun=true', '&dryRun=1']) {
        const res = await http.delete(`/api/v2/events/cleanup?olderThanDays=30${dryRun}`);
        expect(res.status, dryRun).toBe(200);
        expect(cleanupResultSchema.parse(res.body)).toEqual({ dryRun: true, eventsToDelete: 1, cutoffDate });
      }
      expect(await count()).toBe(5);

      const res = await http.delete('/api/v2/events/cleanup?olderThanDays=30&dryRun=false');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ dryRun: false, eventsToDelete: 1, cutoffDate, deleted: 1 });
      expect(await count()).toBe(4);
      // Nothing else is a day old: a real run that finds nothing still says so.
      expect((await http.delete('/api/v2/events/cleanup?olderThanDays=1&dryRun=0')).body).toMatchObject({ dryRun: false, eventsToDelete: 0, deleted: 0 });
      expect(await count()).toBe(4);
    });

    it('answers a cleanup without a valid olderThanDays or dryRun with 400 VALIDATION_ERROR', async () => {
      for (const [query, path] of [
        ['', 'olderThanDays'],
        ['dryRun=false', 'olderThanDays'],
        ['olderThanDays=', 'olderThanDays'],
        ['olderThanDays=0', 'olderThanDays'],
        ['olderThanDays=1.5', 'olderThanDays'],
        ['olderThanDays=-3', 'olderThanDays'],
        ['olderThanDays=abc', 'olderThanDays'],
        ['olderThanDays=36501', 'olderThanDays'],
        ['olderThanDays=30&dryRun=no', 'dryRun'],
      ] as const) {
        const res = await http.delete(`/api/v2/events/cleanup?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.error, query).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ in: 'query', path }] });
      }
      expect(await db.fork().count(MessageEventSchema, {})).toBe(5);
    });
  });
});
