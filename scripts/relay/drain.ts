// Work the relay has started and must see finish before it may stop cleanly: sink writes, dead
// letters, conversation deliveries. On stop, `settle` waits for them, but only until the drain
// deadline: a delivery that cannot progress (a dead Tethr, a stalled socket) is abandoned, stays
// unacknowledged, and is replayed on the next start.
export class InFlight {
  readonly #work = new Set<Promise<unknown>>();

  track(work: Promise<unknown>): void {
    this.#work.add(work);
    void work.finally(() => this.#work.delete(work));
  }

  get size(): number {
    return this.#work.size;
  }

  /**
   * Resolves true once everything tracked (including work added meanwhile) settled, false when the
   * deadline came first. `beforeEachWait` runs before each round (e.g. to flush batchers).
   */
  async settle(timeoutMs: number, beforeEachWait: () => void = () => undefined): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    try {
      while (this.#work.size > 0) {
        beforeEachWait();
        const round = Promise.allSettled([...this.#work]);
        if ((await Promise.race([round, deadline])) === 'timeout') return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
