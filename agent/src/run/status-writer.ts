/** The running agent's status: built at start, kept in step with the queue, and saved to `<dataDir>/status.json`. */
import type { Logger } from '../log.ts';
import { writeStatus, type AgentStatus } from '../status-file.ts';

/** What the status reads from the disk queue. */
export interface QueueState {
  readonly depth: number;
  readonly dropped: number;
  readonly diskFullAt: string | null;
}

/** The status of an agent that has just opened its queue. */
export function initialStatus(queue: QueueState, pid: number, startedAt: string): AgentStatus {
  return {
    pid,
    startedAt,
    lastSampleAt: null,
    lastSendAt: null,
    lastError: null,
    sentRows: 0,
    rejectedRows: 0,
    droppedRows: queue.dropped,
    queueDiskFullAt: queue.diskFullAt,
    queueDepth: queue.depth,
    stoppedAt: null,
  };
}

/** Copies the queue's depth and drop counts into `status`; returns the warning to log when rows were dropped since the last call, else null. */
export function syncQueueStatus(status: AgentStatus, queue: QueueState, queueDir: string): string | null {
  status.queueDepth = queue.depth;
  let warning: string | null = null;
  const diskFull = queue.diskFullAt !== null && queue.diskFullAt !== status.queueDiskFullAt;
  if (diskFull) {
    status.queueDiskFullAt = queue.diskFullAt;
    warning = `The queue disk is full: ${queue.dropped - status.droppedRows} oldest rows dropped to keep the newest (${queue.dropped} in all); free space in ${queueDir}`;
  } else if (queue.dropped > status.droppedRows)
    warning = `The queue reached its size cap: ${queue.dropped - status.droppedRows} oldest rows dropped (${queue.dropped} in all)`;
  status.droppedRows = queue.dropped;
  return warning;
}

/** A function that syncs `status` with the queue, logs new drops, and writes the status file (a failed write is logged, not thrown). */
export function statusSaver(
  status: AgentStatus,
  queue: QueueState,
  paths: { dataDir: string; queueDir: string },
  log: Logger,
): () => void {
  return () => {
    const warning = syncQueueStatus(status, queue, paths.queueDir);
    if (warning) log.warn(warning);
    try {
      writeStatus(paths.dataDir, status);
    } catch (err) {
      log.warn(`Cannot write the status file: ${(err as Error).message}`);
    }
  };
}
