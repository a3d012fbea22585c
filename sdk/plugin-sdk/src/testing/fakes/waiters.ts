/** Waits for something a fake platform records (a call, a message, an ack), re-checked each time it records one. */
export class Waiters {
  private readonly checks = new Set<() => void>();

  /** Re-checks every pending wait: call it after recording something. */
  wake(): void {
    for (const check of [...this.checks]) check();
  }

  /**
   * Resolves with the first value `probe` returns other than undefined, checked now and on every
   * `wake`; rejects with `timeoutMessage` after `timeoutMs`. `probe` may claim what it returns
   * (mark a call taken): it runs no more once it has returned a value.
   */
  until<T>(probe: () => T | undefined, timeoutMs: number, timeoutMessage: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        reject(new Error(timeoutMessage));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.checks.delete(check);
      };
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      this.checks.add(check);
      check();
    });
  }
}
