/** Polling used while Realtime is down: every 5 s while the tab is visible, once a minute while it is hidden. */

/** Poll intervals in milliseconds. */
export const POLL_VISIBLE_MS = 5_000;
export const POLL_HIDDEN_MS = 60_000;

/** Calls `tick` every few seconds while started; the period follows document visibility. */
export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private readonly tick: () => Promise<void>;
  private readonly onVisibility = () => {
    // Back in view: refresh at once instead of waiting out the hidden period.
    if (this.running && document.visibilityState === 'visible') this.schedule(0);
  };

  constructor(tick: () => Promise<void>) {
    this.tick = tick;
  }

  /** Starts polling now (no-op when already polling). */
  start(): void {
    if (this.running) return;
    this.running = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    this.schedule(0);
  }

  /** Stops polling. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility);
  }

  get active(): boolean {
    return this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      if (!this.running) return;
      await this.tick().catch(() => undefined);
      if (this.running) this.schedule(document.visibilityState === 'visible' ? POLL_VISIBLE_MS : POLL_HIDDEN_MS);
    }, ms);
  }
}
