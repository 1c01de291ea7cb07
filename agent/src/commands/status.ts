/** `vibe-agent status`: queue depth, last send, last error; works whether or not the agent is running. */
import path from 'node:path';
import { DiskQueue } from '../send/queue.ts';
import { readStatus, type AgentStatus } from '../status-file.ts';

/** The status report. */
export interface StatusReport {
  running: boolean;
  pid: number | null;
  queueDepth: number;
  droppedRows: number;
  lastSampleAt: string | null;
  lastSendAt: string | null;
  lastError: AgentStatus['lastError'];
  sentRows: number | null;
  rejectedRows: number | null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the queue (read-only) and the status file of a data directory. */
export async function readStatusReport(dataDir: string): Promise<StatusReport> {
  const queue = await DiskQueue.open(path.join(dataDir, 'queue'), { readOnly: true });
  const s = readStatus(dataDir);
  return {
    running: !!s && !s.stoppedAt && alive(s.pid),
    pid: s?.pid ?? null,
    queueDepth: queue.depth,
    droppedRows: queue.dropped,
    lastSampleAt: s?.lastSampleAt ?? null,
    lastSendAt: s?.lastSendAt ?? null,
    lastError: s?.lastError ?? null,
    sentRows: s?.sentRows ?? null,
    rejectedRows: s?.rejectedRows ?? null,
  };
}

/** Human-readable lines. */
export function formatStatus(r: StatusReport): string {
  return [
    `agent:       ${r.running ? `running (pid ${r.pid})` : 'not running'}`,
    `queue depth: ${r.queueDepth} rows`,
    `dropped:     ${r.droppedRows} rows (queue size cap)`,
    `last sample: ${r.lastSampleAt ?? 'never'}`,
    `last send:   ${r.lastSendAt ?? 'never'}`,
    `last error:  ${r.lastError ? `${r.lastError.at} ${r.lastError.message}` : 'none'}`,
  ].join('\n');
}
