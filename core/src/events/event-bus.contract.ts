import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEventEnvelope, DeliveryInfo, EventType, Logger } from '@omni/plugin-sdk';
import type { ManagedEventBus } from './managed-event-bus.js';

/** Makes a fresh, isolated bus for one test; the suite closes it afterwards. */
export type EventBusFactory = (logger: Logger) => Promise<ManagedEventBus>;

/** Polls until `predicate` holds; throws after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface LogRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** Child-logger bindings merged with the first argument when it is an object. */
  fields: Record<string, unknown>;
  /** The message: the first string argument. */
  msg?: string;
}

/** A Logger that keeps what it is given, so tests can check that something was logged. */
export function createRecordingLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at =
    (level: LogRecord['level']) =>
    (...args: unknown[]): void => {
      const [first] = args;
      const msg = args.find((a): a is string => typeof a === 'string');
      records.push({ level, fields: { ...bindings, ...(typeof first === 'object' && first !== null ? first : {}) }, ...(msg === undefined ? {} : { msg }) });
    };
  return {
    records,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => createRecordingLogger(records, { ...bindings, ...more }),
  };
}

interface Received {
  event: AnyEventEnvelope;
  delivery: DeliveryInfo;
}

/** A handler that records what it gets. */
function recorder(): { received: Received[]; handler: (event: AnyEventEnvelope, delivery: DeliveryInfo) => void } {
  const received: Received[] = [];
  return { received, handler: (event, delivery) => void received.push({ event, delivery }) };
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sent = (n: number) => ({ messageId: `m${n}`, externalId: `x${n}`, to: 'someone' });
const typesOf = (received: Received[]): EventType[] => received.map((r) => r.event.type);
const messageIdOf = ({ event }: Received): string | undefined => (event.type === 'message.sent' ? event.payload.messageId : undefined);

/** The behaviour every EventBus implementation must have. */
export function describeEventBusContract(name: string, factory: EventBusFactory): void {
  describe(name, () => {
    let bus: ManagedEventBus;
    let logger: ReturnType<typeof createRecordingLogger>;

    beforeEach(async () => {
      logger = createRecordingLogger();
      bus = await factory(logger);
    });

    afterEach(async () => {
      await bus.close();
    });

    it('publishes a complete envelope and delivers it unchanged', async () => {
      const { received, handler } = recorder();
      await bus.subscribe('message.sent', handler);
      const published = await bus.publish('message.sent', sent(1), { instanceId: 'inst.1', channel: 'whatsapp', correlationId: 'corr-1' });

      expect(published).toEqual({
        id: expect.any(String),
        type: 'message.sent',
        payload: sent(1),
        metadata: { instanceId: 'inst.1', channel: 'whatsapp', traceId: expect.stringMatching(/^[0-9a-f]{32}$/), correlationId: 'corr-1' },
        timestamp: expect.any(String),
      });
      expect(new Date(published.timestamp).toISOString()).toBe(published.timestamp);
      await waitFor(() => received.length === 1);
      expect(received[0]?.event).toEqual(published);
      expect(received[0]?.delivery).toEqual({ attempt: 1 });
    });

    it('keeps a given id and traceId and leaves absent metadata out', async () => {
      const published = await bus.publish('message.read', { externalId: 'x' }, { id: 'evt-1', traceId: 'trace-1' });
      expect(published.id).toBe('evt-1');
      expect(published.metadata).toEqual({ traceId: 'trace-1' });
    });

    it('delivers an exact type filter only that type', async () => {
      const { received, handler } = recorder();
      await bus.subscribe('message.sent', handler);
      await bus.publish('message.delivered', { externalId: 'x1' });
      await bus.publish('message.sent', sent(1));
      await waitFor(() => received.length === 1);
      expect(typesOf(received)).toEqual(['message.sent']);
    });

    it('delivers a domain wildcard every type of that domain, and nothing else', async () => {
      const { received, handler } = recorder();
      await bus.subscribe('message.*', handler);
      await bus.publish('message.sent', sent(1));
      await bus.publish('plugin.status', { pluginId: 'p', status: 'running' });
      await bus.publish('message.read', { externalId: 'x1' });
      await waitFor(() => received.length === 2);
      expect(typesOf(received)).toEqual(['message.sent', 'message.read']);
    });

    it("delivers '*' every event", async () => {
      const { received, handler } = recorder();
      await bus.subscribe('*', handler);
      await bus.publish('message.sent', sent(1), { channel: 'telegram', instanceId: 'i1' });
      await bus.publish('instance.status', { status: { state: 'connected', since: new Date().toISOString() } }, { instanceId: 'i1' });
      await bus.publish('plugin.status', { pluginId: 'p', status: 'running' });
      await waitFor(() => received.length === 3);
      expect(typesOf(received).sort()).toEqual(['instance.status', 'message.sent', 'plugin.status']);
      expect(received.find((r) => r.event.type === 'message.sent')?.event.metadata).toMatchObject({ channel: 'telegram', instanceId: 'i1' });
    });

    it('resolves publish without waiting for handlers', async () => {
      const gate = deferred();
      const { received, handler } = recorder();
      await bus.subscribe('message.sent', async (event, delivery) => {
        handler(event, delivery);
        await gate.promise;
      });
      await bus.publish('message.sent', sent(1));
      await waitFor(() => received.length === 1);
      gate.resolve();
    });

    it('hands a subscription its events one at a time, in publish order', async () => {
      const handled: string[] = [];
      let running = 0;
      let maxRunning = 0;
      await bus.subscribe('message.sent', async (event) => {
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(2);
        handled.push(event.payload.messageId);
        running--;
      });
      const ids = Array.from({ length: 20 }, (_, n) => n);
      for (const n of ids) await bus.publish('message.sent', sent(n));
      await waitFor(() => handled.length === ids.length);
      expect(handled).toEqual(ids.map((n) => `m${n}`));
      expect(maxRunning).toBe(1);
    });

    it('gives a non-durable subscription only events published after it subscribed', async () => {
      await bus.publish('message.sent', sent(0));
      const { received, handler } = recorder();
      await bus.subscribe('message.sent', handler);
      await bus.publish('message.sent', sent(1));
      await waitFor(() => received.length === 1);
      expect(received.map((r) => r.event.payload)).toEqual([sent(1)]);
    });

    it('gives each non-durable subscription every event', async () => {
      const a = recorder();
      const b = recorder();
      await bus.subscribe('message.sent', a.handler);
      await bus.subscribe('message.sent', b.handler);
      await bus.publish('message.sent', sent(1));
      await bus.publish('message.sent', sent(2));
      await waitFor(() => a.received.length === 2 && b.received.length === 2);
    });

    it('shares the events of a durable between its subscribers, each event handled once', async () => {
      const handledBy: Record<string, string[]> = { a: [], b: [] };
      const subscriber = (key: 'a' | 'b') => async (event: AnyEventEnvelope) => {
        await sleep(20);
        handledBy[key]?.push(event.id);
      };
      await bus.subscribe('message.sent', subscriber('a'), { durable: 'workers' });
      await bus.subscribe('message.sent', subscriber('b'), { durable: 'workers' });
      const published: string[] = [];
      for (let n = 0; n < 10; n++) published.push((await bus.publish('message.sent', sent(n))).id);

      const all = () => [...(handledBy.a ?? []), ...(handledBy.b ?? [])];
      await waitFor(() => new Set(all()).size === published.length, 15_000, 'every event to be handled');
      expect(all().sort()).toEqual([...published].sort());
      expect(handledBy.a?.length).toBeGreaterThan(0);
      expect(handledBy.b?.length).toBeGreaterThan(0);
    });

    it('gives each durable every event', async () => {
      const a = recorder();
      const b = recorder();
      await bus.subscribe('message.sent', a.handler, { durable: 'audit' });
      await bus.subscribe('message.*', b.handler, { durable: 'billing' });
      await bus.publish('message.sent', sent(1));
      await bus.publish('message.sent', sent(2));
      await waitFor(() => a.received.length === 2 && b.received.length === 2);
    });

    it('redelivers an event whose handler threw, with the next attempt number, until it succeeds', async () => {
      const attempts: number[] = [];
      const { received, handler } = recorder();
      await bus.subscribe(
        'message.sent',
        (event, delivery) => {
          if (event.payload.messageId === 'm1') {
            attempts.push(delivery.attempt);
            if (delivery.attempt === 1) throw new Error('transient');
          }
          handler(event, delivery);
        },
        { durable: 'retrying', retryDelayMs: 50 },
      );
      await bus.publish('message.sent', sent(1));
      await waitFor(() => received.length === 1);
      await bus.publish('message.sent', sent(2));
      await waitFor(() => received.length === 2);
      expect(attempts).toEqual([1, 2]);
      expect(received[0]?.delivery.attempt).toBe(2);
    });

    it('gives up after maxDeliver attempts and logs an error', async () => {
      const attempts: number[] = [];
      const { received, handler } = recorder();
      await bus.subscribe(
        'message.sent',
        (event, delivery) => {
          if (event.payload.messageId === 'm1') {
            attempts.push(delivery.attempt);
            throw new Error('permanent');
          }
          handler(event, delivery);
        },
        { durable: 'failing', maxDeliver: 3, retryDelayMs: 0 },
      );
      const doomed = await bus.publish('message.sent', sent(1));
      await waitFor(() => attempts.length === 3);
      await bus.publish('message.sent', sent(2));
      await waitFor(() => received.length === 1);
      expect(attempts).toEqual([1, 2, 3]);
      await waitFor(() => logger.records.some((r) => r.level === 'error' && r.fields.eventId === doomed.id), 5_000, 'an error log naming the event');
    });

    it('does not redeliver while a handler outlasts ackWaitMs', async () => {
      const attempts: number[] = [];
      const { received, handler } = recorder();
      await bus.subscribe(
        'message.sent',
        async (event, delivery) => {
          if (event.payload.messageId === 'm1') {
            attempts.push(delivery.attempt);
            await sleep(1_000); // slow work, over three ack waits
          }
          handler(event, delivery);
        },
        { durable: 'slow', ackWaitMs: 300 },
      );
      await bus.publish('message.sent', sent(1));
      await bus.publish('message.sent', sent(2));
      await waitFor(() => received.length >= 2);
      await bus.publish('message.sent', sent(3));
      await waitFor(() => received.some((r) => messageIdOf(r) === 'm3'));
      expect(attempts).toEqual([1]);
      expect(received.map((r) => r.delivery.attempt)).toEqual([1, 1, 1]);
    });

    it('stops delivering after unsubscribe', async () => {
      const gone = recorder();
      const witness = recorder();
      const subscription = await bus.subscribe('message.sent', gone.handler);
      await bus.subscribe('message.sent', witness.handler);
      await bus.publish('message.sent', sent(1));
      await waitFor(() => gone.received.length === 1 && witness.received.length === 1);
      await subscription.unsubscribe();
      await bus.publish('message.sent', sent(2));
      await waitFor(() => witness.received.length === 2);
      expect(gone.received).toHaveLength(1);
    });

    it('resolves unsubscribe once the running handler has returned', async () => {
      const gate = deferred();
      let started = false;
      let finished = false;
      const subscription = await bus.subscribe('message.sent', async () => {
        started = true;
        await gate.promise;
        finished = true;
      });
      await bus.publish('message.sent', sent(1));
      await waitFor(() => started);

      let unsubscribed = false;
      const unsubscribing = subscription.unsubscribe().then(() => (unsubscribed = true));
      await sleep(50); // give an unsubscribe that does not wait the chance to finish early
      expect(unsubscribed).toBe(false);
      gate.resolve();
      await unsubscribing;
      expect(finished).toBe(true);
    });

    it('lets a handler unsubscribe its own subscription (without awaiting it there) and delivers nothing more', async () => {
      let calls = 0;
      let unsubscribed: Promise<void> | undefined;
      const subscription = await bus.subscribe('message.sent', async () => {
        calls++;
        await sleep(1); // some work first, so the handler is well under way
        unsubscribed = subscription.unsubscribe();
      });
      await bus.publish('message.sent', sent(1));
      await waitFor(() => unsubscribed !== undefined, 5_000, 'the handler to unsubscribe');
      await unsubscribed;
      await bus.publish('message.sent', sent(2));
      await sleep(100);
      expect(calls).toBe(1);
    });

    it('delivers to a new durable the events published before it subscribed', async () => {
      await bus.publish('message.sent', sent(1));
      await bus.publish('message.sent', sent(2));
      const { received, handler } = recorder();
      await bus.subscribe('message.sent', handler, { durable: 'late' });
      await waitFor(() => received.length === 2);
      expect(received.map((r) => r.event.payload)).toEqual([sent(1), sent(2)]);
    });

    it('keeps the events published while a durable has no subscriber', async () => {
      const first = recorder();
      const subscription = await bus.subscribe('message.sent', first.handler, { durable: 'resumable' });
      await bus.publish('message.sent', sent(1));
      await waitFor(() => first.received.length === 1);
      await subscription.unsubscribe();

      await bus.publish('message.sent', sent(2));
      const second = recorder();
      await bus.subscribe('message.sent', second.handler, { durable: 'resumable' });
      await waitFor(() => second.received.length === 1);
      expect(second.received[0]?.event.payload).toEqual(sent(2));
    });

    it('delivers a publication repeating an id once', async () => {
      const { received, handler } = recorder();
      await bus.subscribe('message.sent', handler);
      const first = await bus.publish('message.sent', sent(1), { id: 'same-id' });
      const second = await bus.publish('message.sent', sent(1), { id: 'same-id' });
      expect(second.id).toBe(first.id);
      await bus.publish('message.sent', sent(2));
      await waitFor(() => received.some((r) => messageIdOf(r) === 'm2'));
      expect(received.map((r) => r.event.id)).toEqual(['same-id', expect.any(String)]);
    });

    it('refuses a durable name JetStream would refuse', async () => {
      await expect(bus.subscribe('message.sent', () => undefined, { durable: 'has.dot' })).rejects.toThrow(/durable name/);
    });

    it('refuses a durable name already used with another filter', async () => {
      await bus.subscribe('message.sent', () => undefined, { durable: 'taken' });
      await expect(bus.subscribe('message.read', () => undefined, { durable: 'taken' })).rejects.toThrow(/another durable name/);
    });

    it('reports health, and closes after running handlers finish', async () => {
      expect(await bus.health()).toMatchObject({ ok: true });
      const gate = deferred();
      let started = false;
      let finished = false;
      await bus.subscribe('message.sent', async () => {
        started = true;
        await gate.promise;
        finished = true;
      });
      await bus.publish('message.sent', sent(1));
      await waitFor(() => started);

      let closed = false;
      const closing = bus.close().then(() => (closed = true));
      await sleep(50); // give a close that does not wait the chance to finish early
      expect(closed).toBe(false);
      gate.resolve();
      await closing;
      expect(finished).toBe(true);
      expect(await bus.health()).toMatchObject({ ok: false });
      await expect(bus.publish('message.sent', sent(2))).rejects.toThrow(/closed/);
    });
  });
}
