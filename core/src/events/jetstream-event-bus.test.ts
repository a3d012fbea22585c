import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import type { EventType, Logger } from '@omni/plugin-sdk';
import { afterAll, expect, it } from 'vitest';
import { requireServiceUrl } from '../testing/require-service.js';
import { createRecordingLogger, deferred, describeEventBusContract, waitFor } from './event-bus.contract.js';
import { JetStreamEventBus } from './jetstream-event-bus.js';

requireServiceUrl('NATS_URL').describe('JetStreamEventBus', (url) => {
  // Every bus gets its own namespace (so its own streams); all of this run's streams go in afterAll.
  const runNamespace = `test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  let buses = 0;
  const newNamespace = () => `${runNamespace}-${++buses}`;
  const createBus = async (logger: Logger, namespace = newNamespace()) => JetStreamEventBus.create({ connection: await connect({ servers: url }), logger, namespace });

  afterAll(async () => {
    const nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      const prefix = `${runNamespace}-`.toUpperCase();
      for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) await jsm.streams.delete(name);
    } finally {
      await nc.close();
    }
  });

  describeEventBusContract('contract', (logger) => createBus(logger));

  it('redelivers to another subscriber of the durable when the first dies without acknowledging', async () => {
    const namespace = newNamespace();
    const logger = createRecordingLogger();
    const connectionA = await connect({ servers: url });
    const busA = await JetStreamEventBus.create({ connection: connectionA, logger, namespace });
    const stuck = deferred();
    const attemptsA: number[] = [];
    await busA.subscribe('message.sent', async (_event, delivery) => {
      attemptsA.push(delivery.attempt);
      await stuck.promise;
    }, { durable: 'crash-test', ackWaitMs: 1_000 });
    const published = await busA.publish('message.sent', { messageId: 'm1', externalId: 'x1', to: 'someone' });
    await waitFor(() => attemptsA.length === 1);

    await connectionA.close(); // the crash: no ack, no unsubscribe, no drain

    const busB = await createBus(logger, namespace);
    const receivedB: { id: string; attempt: number }[] = [];
    await busB.subscribe('message.sent', (event, delivery) => void receivedB.push({ id: event.id, attempt: delivery.attempt }), { durable: 'crash-test', ackWaitMs: 1_000 });
    await waitFor(() => receivedB.length === 1, 15_000, 'the redelivery');
    expect(receivedB[0]?.id).toBe(published.id);
    expect(receivedB[0]?.attempt).toBeGreaterThanOrEqual(2);

    stuck.resolve();
    await Promise.all([busA.close(), busB.close()]);
  });

  it("includes in '*' a domain outside the known list whose stream exists", async () => {
    const bus = await createBus(createRecordingLogger());
    // A plugin-defined type; plugins declare these by declaration merging, which a test should not do globally.
    const pluginType = 'crm.lead_created' as EventType;
    await bus.publish(pluginType, { leadId: 'l0' } as never);
    const received: string[] = [];
    await bus.subscribe('*', (event) => void received.push(event.type));
    await bus.publish(pluginType, { leadId: 'l1' } as never);
    await waitFor(() => received.length === 1);
    expect(received).toEqual([pluginType]);
    await bus.close();
  });

  it('brings an existing stream and durable up to date with the configuration asked for', async () => {
    const namespace = newNamespace();
    const stream = `${namespace}_MESSAGE`.toUpperCase();
    const admin = await connect({ servers: url });
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: stream, subjects: [`${namespace}.message.>`], max_age: nanos(60_000) });

    const bus = await createBus(createRecordingLogger(), namespace);
    await bus.publish('message.read', { externalId: 'x' });
    expect((await jsm.streams.info(stream)).config.max_age).toBe(nanos(30 * 86_400_000));

    await bus.subscribe('message.read', () => undefined, { durable: 'tuned', maxDeliver: 2 });
    await bus.subscribe('message.read', () => undefined, { durable: 'tuned', maxDeliver: 7, ackWaitMs: 5_000 });
    expect((await jsm.consumers.info(stream, 'tuned')).config).toMatchObject({ max_deliver: 7, ack_wait: nanos(5_000) });
    await bus.close();
    await admin.close();
  });

  it('refuses a namespace that cannot name streams and subjects', async () => {
    const connection = await connect({ servers: url });
    await expect(JetStreamEventBus.create({ connection, logger: createRecordingLogger(), namespace: 'Has_Underscore' })).rejects.toThrow(/namespace/);
    await connection.close();
  });
});
