/**
 * The running agent: samples the host every sample interval into the disk queue (fsynced), runs
 * HTTP and database checks on their own intervals, and sends the queue every send interval,
 * backing off with jitter while the server is unreachable. Stopping takes one last sample and
 * flushes what it can.
 */
import path from 'node:path';
import type { SupabaseClient } from '@supabase/supabase-js';
import { Sampler } from './collect/sampler.ts';
import { osSource } from './collect/source.ts';
import type { AgentSettings } from './config/settings.ts';
import type { Logger } from './log.ts';
import { backoffDelay } from './send/backoff.ts';
import { describeError } from './send/classify.ts';
import { createAgentClient, ensureSession } from './send/client.ts';
import { DiskQueue } from './send/queue.ts';
import { dbCheckRow, hostSampleRow, httpCheckRow, type QueuedRow } from './send/rows.ts';
import { Sender } from './send/sender.ts';
import { writeStatus, type AgentStatus } from './status-file.ts';

/** A started agent. */
export interface RunningAgent {
  readonly status: AgentStatus;
  /** Stops timers, flushes the queue (bounded by `flushTimeoutMs`), closes everything. */
  stop(flushTimeoutMs?: number): Promise<void>;
}

/** Wall-clock time of the next multiple of `ms` (samples line up on interval boundaries, like Prometheus scrapes). */
function nextBoundary(ms: number): number {
  return Math.ceil((Date.now() + 1) / ms) * ms;
}

/** Starts the agent with frozen settings. */
export async function startAgent(settings: AgentSettings, log: Logger, client: SupabaseClient = createAgentClient(settings)): Promise<RunningAgent> {
  const queue = await DiskQueue.open<QueuedRow>(path.join(settings.dataDir, 'queue'), { maxBytes: settings.queueMaxBytes });
  const status: AgentStatus = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
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
  const saveStatus = () => {
    status.queueDepth = queue.depth;
    const diskFull = queue.diskFullAt !== null && queue.diskFullAt !== status.queueDiskFullAt;
    if (diskFull) {
      status.queueDiskFullAt = queue.diskFullAt;
      log.warn(`The queue disk is full: ${queue.dropped - status.droppedRows} oldest rows dropped to keep the newest (${queue.dropped} in all); free space in ${path.join(settings.dataDir, 'queue')}`);
    } else if (queue.dropped > status.droppedRows) log.warn(`The queue reached its size cap: ${queue.dropped - status.droppedRows} oldest rows dropped (${queue.dropped} in all)`);
    status.droppedRows = queue.dropped;
    try {
      writeStatus(settings.dataDir, status);
    } catch (err) {
      log.warn(`Cannot write the status file: ${(err as Error).message}`);
    }
  };
  if (queue.depth > 0) log.info(`Replaying ${queue.depth} queued rows from ${path.join(settings.dataDir, 'queue')}`);

  const sampler = new Sampler(osSource({ procRoot: settings.procRoot, sysRoot: settings.sysRoot, rootfs: settings.rootfs }));
  await sampler.prime();
  // The Postgres driver and the HTTP(S) client load only when configured: each costs megabytes of resident memory.
  const { DbChecker } = settings.databases.length ? await import('./checks/db-check.ts') : { DbChecker: null };
  const dbCheckers = DbChecker ? settings.databases.map((t) => new DbChecker(t)) : [];
  const { runHttpCheck } = settings.httpChecks.length ? await import('./checks/http-check.ts') : { runHttpCheck: null };
  await Promise.all(dbCheckers.map((c) => c.prime()));
  // The OTLP receiver loads only when enabled (off by default); its rows join the queue every send interval.
  const otlp = settings.otlp?.enabled ? await (await import('./otlp/receiver.ts')).startOtlpReceiver(settings.otlp, settings.hostId, log) : null;

  const enqueue = async (rows: QueuedRow[], what: string) => {
    try {
      await queue.append(rows);
      return true;
    } catch (err) {
      log.error(`Cannot queue ${what}: ${(err as Error).message}`);
      return false;
    }
  };

  let stopping = false;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
  /** Runs `fn` at every boundary of `intervalMs`, skipping a tick if the previous run is still going. */
  const every = (intervalMs: number, fn: () => Promise<void>) => {
    let busy = false;
    const schedule = () => {
      if (stopping) return;
      const t = setTimeout(() => {
        timers.delete(t);
        schedule();
        if (busy) return;
        busy = true;
        void track(fn().finally(() => (busy = false)));
      }, nextBoundary(intervalMs) - Date.now());
      timers.add(t);
    };
    schedule();
  };

  const takeSample = async () => {
    const sample = await sampler.sample();
    for (const [name, message] of Object.entries(sample.errors)) log.warn(`Collector ${name} failed: ${message}`);
    if (await enqueue([hostSampleRow(settings.hostId, sample)], 'a host sample')) {
      status.lastSampleAt = sample.ts;
      log.debug(`sampled ts=${sample.ts}`);
    }
  };
  every(settings.sampleIntervalS * 1000, takeSample);
  for (const check of runHttpCheck ? settings.httpChecks : []) {
    every(check.intervalS * 1000, async () => {
      const r = await runHttpCheck!(check);
      if (!r.up) log.warn(`HTTP check ${check.name} is down: ${r.error}`);
      await enqueue([httpCheckRow(settings.hostId, r)], `HTTP check ${check.name}`);
    });
  }
  if (otlp) every(settings.sendIntervalS * 1000, async () => void (await enqueue(otlp.rows(), 'OTLP application samples')));
  for (const checker of dbCheckers) {
    every(settings.dbIntervalS * 1000, async () => {
      const r = await checker.check();
      if (!r.up) log.warn(`Database check ${checker.target.name} is down: ${r.error}`);
      await enqueue([dbCheckRow(settings.hostId, r)], `database check ${checker.target.name}`);
    });
  }

  // Sending: every send interval; after a failure, backoff with jitter instead.
  const sender = new Sender(queue, client, { log, reauth: () => ensureSession(client, settings) });
  let failures = 0;
  let sending: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  const flushOnce = async () => {
    const r = await sender.flush();
    status.sentRows += r.sent;
    status.rejectedRows += r.rejected;
    if (r.sent > 0 || (!r.error && queue.depth === 0)) status.lastSendAt = new Date().toISOString();
    if (r.rejected > 0) status.lastError = { at: new Date().toISOString(), message: `${r.rejected} rows refused by the server (see the log)` };
    if (r.error) {
      failures++;
      status.lastError = { at: new Date().toISOString(), message: describeError(r.error) };
      if (failures === 1 || failures % 10 === 0) log.warn(`Sending failed (attempt ${failures}), ${queue.depth} rows queued: ${describeError(r.error)}`);
    } else {
      if (failures > 0) log.info(`Sending works again after ${failures} failed attempts`);
      failures = 0;
    }
    saveStatus();
    return r;
  };
  const sendLoop = async () => {
    try {
      await ensureSession(client, settings);
    } catch (err) {
      status.lastError = { at: new Date().toISOString(), message: (err as Error).message };
      log.warn((err as Error).message);
    }
    while (!stopping) {
      const delay = failures > 0 ? backoffDelay(failures, { baseMs: 1000, maxMs: settings.retryMaxS * 1000 }) : settings.sendIntervalS * 1000;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
      if (stopping) break;
      await flushOnce().catch((err: Error) => log.error(`Send loop error: ${err.message}`));
    }
  };
  sending = sendLoop();
  saveStatus();
  log.info(
    `Agent started for host ${settings.hostName ?? settings.hostId}: sampling every ${settings.sampleIntervalS} s, sending every ${settings.sendIntervalS} s to ${settings.url}`,
  );

  let stopped: Promise<void> | null = null;
  return {
    status,
    stop(flushTimeoutMs = 10_000) {
      stopped ??= (async () => {
        stopping = true;
        for (const t of timers) clearTimeout(t);
        (wake as (() => void) | null)?.();
        await sending;
        await Promise.allSettled([...inFlight]);
        if (otlp) await enqueue(await otlp.close(), 'OTLP application samples');
        // Final flush, bounded: an unreachable server must not hold up a shutdown; what is left stays queued on disk.
        const deadline = new Promise<null>((r) => setTimeout(() => r(null), flushTimeoutMs).unref());
        const flushed = await Promise.race([flushOnce().catch(() => null), deadline]);
        if (flushed === null || queue.depth > 0) log.info(`Stopped with ${queue.depth} rows still queued; they are sent on the next start`);
        status.stoppedAt = new Date().toISOString();
        saveStatus();
        await Promise.all(dbCheckers.map((c) => c.close()));
        await queue.close();
        await client.auth.stopAutoRefresh().catch(() => {});
        client.realtime.disconnect();
        log.info('Agent stopped');
      })();
      return stopped;
    },
  };
}
