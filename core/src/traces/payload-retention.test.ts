import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Database } from '../db/create-database.js';
import { MessageEventSchema } from '../db/entities/message-event.js';
import { createTestDatabase } from '../testing/test-database.js';
import { EventQueryRepository } from './event-query-repository.js';
import { startPayloadRetention } from './payload-retention.js';
import { seedEvents } from './seed-events.js';

const DAY = 86_400_000;

describe('payload retention', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(() => db.close());

  it('drops payloads older than the retention period and keeps the events', async () => {
    const [old, fresh] = await seedEvents(db, [
      { createdAt: new Date(Date.now() - 10 * DAY), payload: { text: 'old' } },
      { createdAt: new Date(Date.now() - DAY), payload: { text: 'fresh' } },
    ]);
    const retention = startPayloadRetention({ events: new EventQueryRepository(db), days: 7, logger: pino({ level: 'silent' }) });
    const read = (id: string) => db.fork().findOneOrFail(MessageEventSchema, { id });
    for (let i = 0; i < 100 && (await read(old!.id)).payload !== null; i++) await new Promise((r) => setTimeout(r, 10));
    retention.stop();
    expect((await read(old!.id)).payload).toBeNull();
    expect((await read(fresh!.id)).payload).toEqual({ text: 'fresh' });
  });

  it('keeps everything when the retention is 0 days', async () => {
    const [ancient] = await seedEvents(db, [{ createdAt: new Date(Date.now() - 400 * DAY), payload: { text: 'ancient' } }]);
    startPayloadRetention({ events: new EventQueryRepository(db), days: 0, logger: pino({ level: 'silent' }) }).stop();
    await new Promise((r) => setTimeout(r, 50));
    expect((await db.fork().findOneOrFail(MessageEventSchema, { id: ancient!.id })).payload).toEqual({ text: 'ancient' });
  });
});
