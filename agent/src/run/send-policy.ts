/** When the send loop sends next, and what a flush's result means for the status and the log (no I/O). */
import { createHash } from 'node:crypto';
import type { AgentSettings } from '../config/settings.ts';
import { backoffDelay } from '../send/backoff.ts';
import { describeError } from '../send/classify.ts';
import type { FlushResult } from '../send/sender.ts';
import type { AgentStatus } from '../status-file.ts';

/** First retry step after a failed send; it doubles per failure up to `retryMaxS`. */
export const RETRY_BASE_MS = 1000;

/**
 * This host's phase within the send interval, in ms: a fixed offset derived from the host id, so a
 * fleet that (re)starts at once still sends spread evenly over the interval instead of in one burst.
 */
export function sendPhaseMs(hostId: string, sendIntervalS: number): number {
  const h = createHash('sha256').update(hostId).digest().readUInt32BE(0);
  return Math.floor((h / 2 ** 32) * sendIntervalS * 1000);
}

/**
 * The wait before the next send. While sending works: until this host's next slot on the wall-clock
 * grid `phase + k · interval` (so the schedule holds across restarts and never drifts into step with
 * other hosts); after `failures` failures in a row: backoff with jitter.
 */
export function sendDelay(
  failures: number,
  settings: Pick<AgentSettings, 'sendIntervalS' | 'retryMaxS' | 'hostId'>,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  if (failures > 0) return backoffDelay(failures, { baseMs: RETRY_BASE_MS, maxMs: settings.retryMaxS * 1000 }, random);
  const interval = settings.sendIntervalS * 1000;
  const phase = sendPhaseMs(settings.hostId, settings.sendIntervalS);
  const since = (((now - phase) % interval) + interval) % interval;
  return interval - since;
}

/** A line for the log. */
export interface LogLine {
  level: 'info' | 'warn';
  message: string;
}

/**
 * Counts a flush into `status` (rows sent and refused, last send, last error) and returns the new
 * count of failures in a row with the line to log: the first failure and every tenth, and the recovery.
 */
export function recordFlush(
  status: AgentStatus,
  failures: number,
  r: FlushResult,
  queueDepth: number,
  at: string,
): { failures: number; line: LogLine | null } {
  status.sentRows += r.sent;
  status.rejectedRows += r.rejected;
  if (r.sent > 0 || (!r.error && queueDepth === 0)) status.lastSendAt = at;
  if (r.rejected > 0) status.lastError = { at, message: `${r.rejected} rows refused by the server (see the log)` };
  if (r.error) {
    const n = failures + 1;
    status.lastError = { at, message: describeError(r.error) };
    const line: LogLine | null =
      n === 1 || n % 10 === 0
        ? {
            level: 'warn',
            message: `Sending failed (attempt ${n}), ${queueDepth} rows queued: ${describeError(r.error)}`,
          }
        : null;
    return { failures: n, line };
  }
  return {
    failures: 0,
    line: failures > 0 ? { level: 'info', message: `Sending works again after ${failures} failed attempts` } : null,
  };
}
