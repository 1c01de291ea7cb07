/** Stopping the agent: no new runs, one last flush bounded in time, then everything closed in order. */
import type { Logger } from '../log.ts';
import type { DiskQueue } from '../send/queue.ts';
import type { QueuedRow } from '../send/rows.ts';
import type { AgentStatus } from '../status-file.ts';
import type { Checks } from './checks.ts';
import type { Enqueue } from './enqueue.ts';
import type { Scheduler } from './scheduler.ts';
import type { SendLoop } from './send-loop.ts';

/** Runs `flush`, resolving null when it fails or has not finished after `timeoutMs` (an unreachable server must not hold up a shutdown). */
export async function boundedFlush<T>(flush: () => Promise<T>, timeoutMs: number): Promise<T | null> {
  const deadline = new Promise<null>((r) => setTimeout(() => r(null), timeoutMs).unref());
  return Promise.race([flush().catch(() => null), deadline]);
}

/** The parts of a running agent that shutdown stops and closes. */
export interface AgentParts {
  scheduler: Scheduler;
  sendLoop: SendLoop;
  checks: Checks;
  queue: DiskQueue<QueuedRow>;
  status: AgentStatus;
  enqueue: Enqueue;
  saveStatus: () => void;
  log: Logger;
}

/**
 * Stops timers and the send loop, waits for runs under way, queues the OTLP receiver's last rows,
 * flushes once (bounded by `flushTimeoutMs`; what is left stays queued on disk for the next start),
 * records the stop in the status file and closes database connections and the queue (the client holds
 * no timers or connections of its own).
 */
export async function shutdown(parts: AgentParts, flushTimeoutMs: number): Promise<void> {
  const { scheduler, sendLoop, checks, queue, status, log } = parts;
  scheduler.halt();
  await sendLoop.stop();
  await scheduler.settled();
  if (checks.otlp) await parts.enqueue(await checks.otlp.close(), 'OTLP application samples');
  const flushed = await boundedFlush(() => sendLoop.flushOnce(), flushTimeoutMs);
  if (flushed === null || queue.depth > 0)
    log.info(`Stopped with ${queue.depth} rows still queued; they are sent on the next start`);
  status.stoppedAt = new Date().toISOString();
  parts.saveStatus();
  await Promise.all(checks.dbCheckers.map((c) => c.close()));
  await queue.close();
  log.info('Agent stopped');
}
