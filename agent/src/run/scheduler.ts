/** Runs jobs at every boundary of their interval, one run at a time per job, and stops them all together. */

/** Wall-clock time of the next multiple of `intervalMs` after `nowMs` (samples line up on interval boundaries, like Prometheus scrapes). */
export function nextBoundary(intervalMs: number, nowMs: number): number {
  return Math.ceil((nowMs + 1) / intervalMs) * intervalMs;
}

/** The periodic jobs of a running agent. */
export class Scheduler {
  #stopping = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<unknown>>();

  /** Runs `fn` at every boundary of `intervalMs`, skipping a tick if the previous run is still going. */
  every(intervalMs: number, fn: () => Promise<void>): void {
    let busy = false;
    const schedule = () => {
      if (this.#stopping) return;
      const t = setTimeout(() => {
        this.#timers.delete(t);
        schedule();
        if (busy) return;
        busy = true;
        this.#track(fn().finally(() => (busy = false)));
      }, nextBoundary(intervalMs, Date.now()) - Date.now());
      this.#timers.add(t);
    };
    schedule();
  }

  #track(p: Promise<unknown>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  /** Starts no further runs; runs already going keep going (see `settled`). */
  halt(): void {
    this.#stopping = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** Resolves once every run started so far has finished, whether it succeeded or not. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }
}
