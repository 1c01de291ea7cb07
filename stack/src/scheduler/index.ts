/** pg_cron and pg_net emulation: runs due cron jobs and delivers queued HTTP requests after commit. */
import type { StackContext } from '../context.ts';
import { CronScheduler } from './cron-scheduler.ts';
import { Listener } from './listener.ts';
import { NetWorker } from './net-worker.ts';

export interface Scheduler {
  stop(): Promise<void>;
}

/** Options mainly for tests and benchmarks. */
export interface SchedulerOptions {
  log?: (line: string) => void;
}

// Channels notified at commit by the extensions' SQL (cron.job_cache_invalidate(), net.wake()).
const CRON_CHANNEL = 'cron_job_cache_invalidate';
const NET_CHANNEL = 'pg_net_wake';

/**
 * Starts the cron scheduler and the pg_net worker behind one LISTEN connection named
 * 'pg_net worker' (what net.check_worker_is_up() looks for). Never throws for a database problem:
 * the listener keeps reconnecting and both loops catch up on every (re)connection.
 */
export async function startScheduler(ctx: StackContext, options: SchedulerOptions = {}): Promise<Scheduler> {
  const log = options.log ?? ((line: string) => console.warn(`[scheduler] ${line}`));
  const cron = new CronScheduler({ pool: ctx.pool, dbUrl: ctx.dbUrl, log });
  const net = new NetWorker({ pool: ctx.pool, log });
  const listener = new Listener(ctx.dbUrl, [CRON_CHANNEL, NET_CHANNEL], 'pg_net worker', {
    onNotify(channel, payload) {
      if (channel === CRON_CHANNEL) void cron.reload();
      else {
        if (payload === 'restart') net.recheck();
        net.wake();
      }
    },
    onConnect() {
      net.recheck();
      void cron.reload();
      net.wake();
    },
  });
  await cron.start();
  net.start();
  await listener.start();
  return {
    async stop() {
      await listener.stop();
      await cron.stop();
      await net.stop();
    },
  };
}
