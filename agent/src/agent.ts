/**
 * The running agent: samples the host every sample interval into the disk queue (fsynced), runs
 * HTTP and database checks on their own intervals, and sends the queue every send interval,
 * backing off with jitter while the server is unreachable. Stopping takes one last sample and
 * flushes what it can. The parts live in `run/`; this file puts them together.
 */
import path from 'node:path';
import type { AgentSettings } from './config/settings.ts';
import type { Logger } from './log.ts';
import { prepareChecks, scheduleChecks } from './run/checks.ts';
import { queueAppender } from './run/enqueue.ts';
import { Scheduler } from './run/scheduler.ts';
import { SendLoop } from './run/send-loop.ts';
import { shutdown } from './run/shutdown.ts';
import { initialStatus, statusSaver } from './run/status-writer.ts';
import { type AgentClient, createAgentClient } from './send/client.ts';
import { DiskQueue } from './send/queue.ts';
import type { QueuedRow } from './send/rows.ts';
import type { AgentStatus } from './status-file.ts';

/** A started agent. */
export interface RunningAgent {
  readonly status: AgentStatus;
  /** Stops timers, flushes the queue (bounded by `flushTimeoutMs`), closes everything. */
  stop(flushTimeoutMs?: number): Promise<void>;
}

/** Starts the agent with frozen settings. */
export async function startAgent(
  settings: AgentSettings,
  log: Logger,
  client: AgentClient = createAgentClient(settings),
): Promise<RunningAgent> {
  const queueDir = path.join(settings.dataDir, 'queue');
  const queue = await DiskQueue.open<QueuedRow>(queueDir, { maxBytes: settings.queueMaxBytes });
  const status = initialStatus(queue, process.pid, new Date().toISOString());
  const saveStatus = statusSaver(status, queue, { dataDir: settings.dataDir, queueDir }, log);
  if (queue.depth > 0) log.info(`Replaying ${queue.depth} queued rows from ${queueDir}`);

  const checks = await prepareChecks(settings, log);
  const enqueue = queueAppender(queue, log);
  const scheduler = new Scheduler();
  scheduleChecks(checks, settings, scheduler, { enqueue, status, log });
  // Sending: every send interval; after a failure, backoff with jitter instead.
  const sendLoop = new SendLoop({ queue, client, settings, status, saveStatus, log });
  sendLoop.start();
  saveStatus();
  log.info(
    `Agent started for host ${settings.hostName ?? settings.hostId}: sampling every ${settings.sampleIntervalS} s, sending every ${settings.sendIntervalS} s to ${settings.url}`,
  );

  let stopped: Promise<void> | null = null;
  return {
    status,
    stop(flushTimeoutMs = 10_000) {
      stopped ??= shutdown({ scheduler, sendLoop, checks, queue, status, enqueue, saveStatus, log }, flushTimeoutMs);
      return stopped;
    },
  };
}
