/** Both buses drop a publication whose id was already published this recently (JetStream's default `duplicate_window`). */
export const DUPLICATE_WINDOW_MS = 120_000;

/**
 * Event ids seen within a time window, for de-duplicating publications the way JetStream's
 * `duplicate_window` does. Also capped in count, which can shorten the window under heavy load.
 */
export class RecentIds {
  // Insertion order is expiry order, so pruning only ever looks at the front.
  readonly #expiries = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds: number,
  ) {}

  /** Records the id; returns false if it was already seen within the window. */
  add(id: string, now = Date.now()): boolean {
    this.#prune(now);
    if (this.#expiries.has(id)) return false;
    this.#expiries.set(id, now + this.windowMs);
    return true;
  }

  #prune(now: number): void {
    for (const [id, expiry] of this.#expiries) {
      if (expiry > now && this.#expiries.size < this.maxIds) return;
      this.#expiries.delete(id);
    }
  }
}
