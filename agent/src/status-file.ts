/** The running agent's state on disk (`<dataDir>/status.json`), read by `vibe-agent status`. */
import fs from 'node:fs';
import path from 'node:path';

/** What `status` shows besides the queue itself. */
export interface AgentStatus {
  pid: number;
  startedAt: string;
  lastSampleAt: string | null;
  /** Last time a send emptied the queue or made progress. */
  lastSendAt: string | null;
  lastError: { at: string; message: string } | null;
  sentRows: number;
  rejectedRows: number;
  droppedRows: number;
  /** When a full queue disk last forced dropping the oldest rows to keep the newest; null if never. */
  queueDiskFullAt?: string | null;
  queueDepth: number;
  stoppedAt: string | null;
}

/** Path of the status file in a data directory. */
export function statusFile(dataDir: string): string {
  return path.join(dataDir, 'status.json');
}

/** Writes the status atomically. */
export function writeStatus(dataDir: string, status: AgentStatus): void {
  const file = statusFile(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(status, null, 2), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** Reads the status, or null when the agent never ran here. */
export function readStatus(dataDir: string): AgentStatus | null {
  try {
    return JSON.parse(fs.readFileSync(statusFile(dataDir), 'utf8')) as AgentStatus;
  } catch {
    return null;
  }
}
