import { describe, expect, it } from 'vitest';
import { createRecordingLogger, describeEventBusContract, sleep, waitFor } from './event-bus.contract.js';
import { InProcessEventBus } from './in-process-event-bus.js';

describeEventBusContract('InProcessEventBus', async (logger) => new InProcessEventBus({ logger }));

describe('InProcessEventBus specifics', () => {
  it('ends the wait of a handler that awaits its own unsubscribe at the drain timeout, saying why', async () => {
    const logger = createRecordingLogger();
    const bus = new InProcessEventBus({ logger, drainTimeoutMs: 150 });
    let done = false;
    const subscription = await bus.subscribe('message.sent', async () => {
      await sleep(1); // well under way
      await subscription.unsubscribe(); // waits for this very handler: only the timeout ends it
      done = true;
    });
    await bus.publish('message.sent', { messageId: 'm1', externalId: 'x1', to: 'someone' });
    await waitFor(() => done, 5_000, 'the handler to get past its unsubscribe');
    expect(logger.records.some((r) => r.level === 'warn' && r.msg?.includes('waits for itself'))).toBe(true);
    await bus.close();
  });

  it('holds later events back while an event is being retried', async () => {
    const bus = new InProcessEventBus({ logger: createRecordingLogger() });
    const handled: string[] = [];
    await bus.subscribe(
      'message.read',
      (event, delivery) => {
        if (event.payload.externalId === 'a' && delivery.attempt === 1) throw new Error('transient');
        handled.push(event.payload.externalId);
      },
      { retryDelayMs: 20 },
    );
    await bus.publish('message.read', { externalId: 'a' });
    await bus.publish('message.read', { externalId: 'b' });
    await waitFor(() => handled.length === 2);
    expect(handled).toEqual(['a', 'b']);
    await bus.close();
  });

  it('drops the oldest retained events beyond its capacity, warning once for a durable that had not read them', async () => {
    const logger = createRecordingLogger();
    const bus = new InProcessEventBus({ logger, retainedEvents: 3 });
    const subscription = await bus.subscribe('message.read', () => undefined, { durable: 'slow' });
    await subscription.unsubscribe();
    for (const externalId of ['1', '2', '3', '4', '5']) await bus.publish('message.read', { externalId });

    const received: string[] = [];
    await bus.subscribe('message.read', (event) => void received.push(event.payload.externalId), { durable: 'slow' });
    await waitFor(() => received.length === 3);
    expect(received).toEqual(['3', '4', '5']);
    expect(logger.records.filter((r) => r.level === 'warn' && r.fields.subscription === 'slow')).toHaveLength(2); // falling behind, caught up
    await bus.close();
  });

  it('gives an event back to the durable when its subscriber leaves during a retry', async () => {
    const bus = new InProcessEventBus({ logger: createRecordingLogger() });
    let failures = 0;
    const failing = () => {
      failures++;
      throw new Error('failing subscriber');
    };
    const first = await bus.subscribe('message.read', failing, { durable: 'handover', retryDelayMs: 60_000 });
    await bus.publish('message.read', { externalId: 'a' });
    await waitFor(() => failures === 1);
    const attempts: number[] = [];
    await bus.subscribe('message.read', (_event, delivery) => void attempts.push(delivery.attempt), { durable: 'handover' });
    await first.unsubscribe();
    await waitFor(() => attempts.length === 1);
    expect(attempts).toEqual([2]);
    await bus.close();
  });
});
