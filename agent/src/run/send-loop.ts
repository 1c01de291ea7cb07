/** The send loop: signs in, then flushes the queue every send interval, or after a backoff while sending fails. */
import type { AgentSettings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { type AgentClient, ensureSession, renewSession } from '../send/client.ts';
import type { DiskQueue } from '../send/queue.ts';
import type { QueuedRow } from '../send/rows.ts';
import { Sender, type FlushResult } from '../send/sender.ts';
import type { AgentStatus } from '../status-file.ts';
import { agentVersionString } from '../version.ts';
import { recordFlush, sendDelay } from './send-policy.ts';

/** What the send loop works with. */
export interface SendLoopOptions {
  queue: DiskQueue<QueuedRow>;
  client: AgentClient;
  settings: Pick<AgentSettings, 'email' | 'password' | 'sendIntervalS' | 'retryMaxS' | 'hostId'>;
  status: AgentStatus;
  /** Saves the status after each flush. */
  saveStatus: () => void;
  log: Logger;
}

/** Sends the queue until stopped. */
export class SendLoop {
  readonly #o: SendLoopOptions;
  readonly #sender: Sender;
  #failures = 0;
  #versionReported = false;
  #stopping = false;
  #wake: (() => void) | null = null;
  #running: Promise<void> = Promise.resolve();

  constructor(options: SendLoopOptions) {
    this.#o = options;
    const { client, settings } = options;
    this.#sender = new Sender(options.queue, client, {
      log: options.log,
      reauth: () => renewSession(client, settings),
    });
  }

  /** Flushes once, counts the result into the status, logs failures and recovery, and saves the status. */
  async flushOnce(): Promise<FlushResult> {
    const r = await this.#sender.flush();
    const { failures, line } = recordFlush(
      this.#o.status,
      this.#failures,
      r,
      this.#o.queue.depth,
      new Date().toISOString(),
    );
    this.#failures = failures;
    if (line) this.#o.log[line.level](line.message);
    this.#o.saveStatus();
    if (!r.error && !this.#versionReported) await this.#reportVersion();
    return r;
  }

  // Tells the dashboard which agent runs on this host (hosts.agent_version), once per start, after
  // the first flush that reached the server; a refusal is logged, not retried (samples matter more).
  // Only this host's row, only that column: report_agent_version checks both.
  async #reportVersion(): Promise<void> {
    this.#versionReported = true;
    const version = agentVersionString();
    const error = await this.#o.client.rpc('report_agent_version', { p_version: version });
    if (error) this.#o.log.warn(`Cannot report the agent version ${version}: ${error.message}`);
    else this.#o.log.debug(`reported agent version ${version}`);
  }

  /** Starts the loop in the background. */
  start(): void {
    this.#running = this.#loop();
  }

  async #loop(): Promise<void> {
    const { client, settings, status, log } = this.#o;
    try {
      await ensureSession(client, settings);
    } catch (err) {
      status.lastError = { at: new Date().toISOString(), message: (err as Error).message };
      log.warn((err as Error).message);
    }
    while (!this.#stopping) {
      await this.#sleep(sendDelay(this.#failures, settings));
      if (this.#stopping) break;
      await this.flushOnce().catch((err: Error) => log.error(`Send loop error: ${err.message}`));
    }
  }

  // Waits `ms`, or less when `stop` wakes it.
  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.#wake = null;
  }

  /** Ends the loop: wakes it from its wait and resolves once a flush under way has finished. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }
}
