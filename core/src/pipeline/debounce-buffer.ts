export interface DebounceSettings {
  mode: 'disabled' | 'fixed' | 'randomized';
  ms: number;
  minMs: number;
  maxMs: number;
  /** A burst is flushed at most this long after its first message. */
  maxWaitMs: number;
}

interface Bucket<T> {
  items: T[];
  firstAt: number;
  timer?: NodeJS.Timeout;
}

export type FlushHandler<T> = (key: string, items: T[], waitedMs: number) => Promise<void>;

/**
 * Collects bursts per key (instance + chat) and hands each burst over whole, in arrival order.
 * Each new message restarts the window (fixed or randomized) up to the maximum wait. Bursts of
 * one key are processed one after another, so replies never interleave; nothing is dropped.
 */
export class DebounceBuffer<T> {
  private readonly buckets = new Map<string, Bucket<T>>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly onFlush: FlushHandler<T>,
    private readonly onError: (err: unknown, key: string) => void,
    private readonly random: () => number = Math.random,
  ) {}

  add(key: string, item: T, settings: DebounceSettings): void {
    if (settings.mode === 'disabled') return this.enqueue(key, [item], 0);
    const now = Date.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { items: [], firstAt: now };
      this.buckets.set(key, bucket);
    }
    bucket.items.push(item);
    clearTimeout(bucket.timer);
    const window = settings.mode === 'fixed' ? settings.ms : settings.minMs + Math.round(this.random() * (settings.maxMs - settings.minMs));
    const delay = Math.max(0, Math.min(now + window, bucket.firstAt + settings.maxWaitMs) - now);
    bucket.timer = setTimeout(() => this.fire(key), delay);
  }

  /** Messages waiting in open windows. */
  get pending(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.items.length;
    return n;
  }

  /** Flushes every open window now and waits until all bursts are processed. */
  async drain(): Promise<void> {
    for (const key of [...this.buckets.keys()]) this.fire(key);
    await Promise.all([...this.chains.values()]);
  }

  private fire(key: string): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    clearTimeout(bucket.timer);
    this.buckets.delete(key);
    this.enqueue(key, bucket.items, Date.now() - bucket.firstAt);
  }

  private enqueue(key: string, items: T[], waitedMs: number): void {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.onFlush(key, items, waitedMs)).catch((err: unknown) => this.onError(err, key));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }
}
