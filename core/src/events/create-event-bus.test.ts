import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { requireServiceUrl } from '../testing/require-service.js';
import { createEventBus } from './create-event-bus.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { JetStreamEventBus } from './jetstream-event-bus.js';

const logger = pino({ level: 'silent' });

describe('createEventBus', () => {
  it('makes the in-process bus without a NATS URL', async () => {
    const bus = await createEventBus({ logger });
    expect(bus).toBeInstanceOf(InProcessEventBus);
    expect(await bus.health()).toMatchObject({ ok: true });
    await bus.close();
  });

  it('fails fast, naming the URL without its credentials, when NATS is unreachable', async () => {
    const failure = createEventBus({ natsUrl: 'nats://omni:s3cret@127.0.0.1:1', logger, connectTimeoutMs: 1_000 });
    await expect(failure).rejects.toThrow('Cannot connect to NATS at nats://127.0.0.1:1');
    await expect(failure).rejects.not.toThrow('s3cret');
  });
});

requireServiceUrl('NATS_URL').describe('createEventBus with NATS', (url) => {
  it('makes the JetStream bus', async () => {
    const bus = await createEventBus({ natsUrl: url, logger, namespace: `test-create-${process.pid}` });
    expect(bus).toBeInstanceOf(JetStreamEventBus);
    expect(await bus.health()).toMatchObject({ ok: true, detail: expect.stringContaining('0 streams') });
    await bus.close();
  });
});
