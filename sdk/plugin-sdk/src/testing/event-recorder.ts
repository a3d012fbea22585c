import type { AnyEventEnvelope, EventBus, EventEnvelope, EventType } from '../events.js';

/** Records every event on a bus so tests can wait for one instead of sleeping. */
export class EventRecorder {
  readonly events: AnyEventEnvelope[] = [];
  private waiters = new Set<() => void>();

  static async attach(bus: EventBus): Promise<EventRecorder> {
    const recorder = new EventRecorder();
    await bus.subscribe('*', (event) => {
      recorder.events.push(event);
      for (const wake of recorder.waiters) wake();
    });
    return recorder;
  }

  ofType<T extends EventType>(type: T): EventEnvelope<T>[] {
    return this.events.filter((e) => e.type === type) as unknown as EventEnvelope<T>[];
  }

  /** Resolves with the first recorded event of `type` matching `predicate`, waiting up to `timeoutMs`. */
  waitFor<T extends EventType>(type: T, predicate: (e: EventEnvelope<T>) => boolean = () => true, timeoutMs = 5_000): Promise<EventEnvelope<T>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.ofType(type).find(predicate);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no '${type}' event matched within ${timeoutMs} ms (saw: ${this.events.map((e) => e.type).join(', ') || 'none'})`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}
