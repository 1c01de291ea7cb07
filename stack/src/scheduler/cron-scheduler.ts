/** pg_cron's background worker, in the stack: keeps cron.job in memory, runs due jobs, one run per job at a time. */
import type pg from 'pg';
import { nextRun, parseSchedule, type Schedule } from './cron-schedule.ts';
import { runJob, type CronJob, type RunHandle } from './cron-run.ts';

interface JobState {
  job: CronJob;
  schedule: Schedule | null;
  /** Epoch ms of the next due run; null for @reboot and invalid schedules. */
  nextDue: number | null;
  /** Runs that came due while the previous one was still running (pg_cron queues them). */
  pending: number;
  running: RunHandle | null;
}

/** Options for the cron scheduler. */
export interface CronSchedulerOptions {
  pool: pg.Pool;
  dbUrl: string;
  /** At most this many jobs run at once across all jobs (pg_cron's `cron.max_running_jobs`). */
  maxRunning?: number;
  log?: (line: string) => void;
}

const LONGEST_SLEEP_MS = 1000;

/** Schedules and runs the jobs of the emulated pg_cron; `reload()` after every change to cron.job. */
export class CronScheduler {
  private readonly jobs = new Map<string, JobState>();
  private readonly runs = new Set<Promise<void>>();
  private readonly handles = new Set<RunHandle>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private firstLoad = true;
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;
  private readonly options: Required<CronSchedulerOptions>;

  constructor(options: CronSchedulerOptions) {
    this.options = { maxRunning: 32, log: () => {}, ...options };
  }

  /** Marks runs left over from a previous stack as failed (as pg_cron does after a restart), then loads the jobs. */
  async start(): Promise<void> {
    await this.options.pool
      .query(`update cron.job_run_details set status = 'failed', return_message = 'server restarted'
               where status in ('starting', 'running', 'sending', 'connecting')`)
      .catch(() => {});
    await this.reload();
    this.arm(0);
  }

  /** Re-reads cron.job; coalesces bursts of invalidations into one query at a time. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.load();
      } while (this.reloadAgain && !this.stopped);
    })().finally(() => (this.reloading = null));
    return this.reloading;
  }

  private async load(): Promise<void> {
    let rows: CronJob[];
    try {
      // Only the emulation is ours to run: a real pg_cron (C functions) has its own worker.
      const result = await this.options.pool.query<CronJob>(
        `select jobid::text, jobname, schedule, command, database, username, active from cron.job
          where (select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang
                  where p.oid = 'cron.job_cache_invalidate()'::regprocedure) = 'plpgsql'`,
      );
      rows = result.rows;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // No cron schema (extension dropped or not installed): nothing to run until it comes back.
      if (code !== '3F000' && code !== '42P01' && code !== '42883')
        this.options.log(`pg_cron: cannot read cron.job: ${(err as Error).message}`);
      rows = [];
    }
    const now = Date.now();
    const seen = new Set<string>();
    for (const job of rows) {
      seen.add(job.jobid);
      const state = this.jobs.get(job.jobid);
      if (state && state.job.schedule === job.schedule) {
        state.job = job;
        if (!job.active) state.pending = 0;
        continue;
      }
      const schedule = parseSchedule(job.schedule);
      if (!schedule) this.options.log(`pg_cron: invalid schedule for job ${job.jobid}: ${job.schedule}`);
      const fresh: JobState = {
        job,
        schedule,
        // Interval jobs start right away, as pg_cron does for a job it has not run yet.
        nextDue: schedule?.kind === 'interval' ? now : schedule ? nextRun(schedule, new Date(now))!.getTime() : null,
        pending: schedule?.kind === 'reboot' && this.firstLoad ? 1 : 0,
        running: state?.running ?? null,
      };
      this.jobs.set(job.jobid, fresh);
    }
    for (const id of this.jobs.keys()) if (!seen.has(id)) this.jobs.delete(id);
    this.firstLoad = false;
    this.arm(0);
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(0, delayMs));
  }

  private tick(): void {
    this.timer = null;
    if (this.stopped) return;
    const now = Date.now();
    let wake = now + LONGEST_SLEEP_MS;
    for (const state of this.jobs.values()) {
      const { schedule, job } = state;
      if (!schedule || !job.active) continue;
      if (state.nextDue !== null && now >= state.nextDue) {
        if (schedule.kind === 'interval') {
          // An interval job queues at most one run behind a slow one, then returns to its cadence.
          state.pending = Math.max(state.pending, 1);
          const step = schedule.seconds * 1000;
          state.nextDue = state.nextDue + step > now ? state.nextDue + step : now + step;
        } else {
          state.pending += 1;
          const next = nextRun(schedule, new Date(state.nextDue))!.getTime();
          state.nextDue = next > now ? next : nextRun(schedule, new Date(now))!.getTime();
        }
      }
      if (state.pending > 0 && !state.running && this.handles.size < this.options.maxRunning) {
        state.pending -= 1;
        this.launch(state);
      }
      if (state.nextDue !== null) wake = Math.min(wake, state.nextDue);
    }
    this.arm(wake - Date.now());
  }

  private launch(state: JobState): void {
    const handle: RunHandle = { pid: null, stopping: false };
    state.running = handle;
    this.handles.add(handle);
    const run = runJob(this.options.pool, this.options.dbUrl, state.job, handle)
      .catch((err: Error) => this.options.log(`pg_cron: job ${state.job.jobid} could not be recorded: ${err.message}`))
      .finally(() => {
        // The job may have been reloaded (new state object) while it ran.
        for (const s of [state, this.jobs.get(state.job.jobid)]) if (s?.running === handle) s.running = null;
        this.handles.delete(handle);
        this.runs.delete(run);
        // A queued run (or one waiting for a free slot) starts as soon as this one ends.
        this.arm(0);
      });
    this.runs.add(run);
  }

  /** Stops scheduling, cancels running commands and waits for their runs to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.reloading?.catch(() => {});
    for (const handle of this.handles) handle.stopping = true;
    // A cancel that reaches a backend between statements is lost, so repeat it until every run ends;
    // cancelled runs record themselves as failed. A stuck one must not hold the stack's shutdown.
    const deadline = Date.now() + 5000;
    while (this.runs.size > 0 && Date.now() < deadline) {
      const pids = [...this.handles].map((h) => h.pid).filter((p): p is number => p !== null);
      if (pids.length > 0) {
        await this.options.pool
          .query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids])
          .catch(() => {});
      }
      await Promise.race([Promise.allSettled([...this.runs]), new Promise((r) => setTimeout(r, 200))]);
    }
  }
}
