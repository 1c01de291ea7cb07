/** pg_net's background worker, in the stack: drains net.http_request_queue and fills net._http_response. */
import http from 'node:http';
import https from 'node:https';
import type pg from 'pg';
import { sendNetRequest, type NetAgents, type NetOutcome, type NetRequest } from './net-http.ts';

/** Options for the pg_net worker. */
export interface NetWorkerOptions {
  pool: pg.Pool;
  /** Requests in flight at once (pg_net sends its whole batch concurrently through curl multi). */
  concurrency?: number;
  /** Re-check the queue this often even without a wake-up (a NOTIFY missed while reconnecting). */
  sweepMs?: number;
  /** Delete expired responses this often (TTL from the `pg_net.ttl` setting, default 6 hours). */
  pruneMs?: number;
  log?: (line: string) => void;
}

/** Drains the queue on `wake()`: only committed rows are visible, so a request never leaves before its transaction commits. */
export class NetWorker {
  private readonly options: Required<NetWorkerOptions>;
  private readonly inflight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly agents: NetAgents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private enabled: boolean | null = null;
  private lastPrune = 0;

  constructor(options: NetWorkerOptions) {
    this.options = { concurrency: 32, sweepMs: 5000, pruneMs: 60000, log: () => {}, ...options };
  }

  /** Starts the periodic sweep and prune; the first drain happens on the first `wake()`. */
  start(): void {
    this.sweepTimer = setInterval(() => this.wake(), this.options.sweepMs);
    this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneMs);
  }

  /** Called on NOTIFY pg_net_wake (sent at commit by net.wake()) and by the sweep. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain()
      .catch((err: Error) => this.options.log(`pg_net: cannot read net.http_request_queue: ${err.message}`))
      .finally(() => {
        this.draining = null;
        if (this.drainAgain) {
          this.drainAgain = false;
          this.wake();
        }
      });
  }

  /** Forgets whether the installed pg_net is ours (e.g. after a reconnect, it may have been recreated). */
  recheck(): void {
    this.enabled = null;
  }

  private async isEmulation(): Promise<boolean> {
    if (this.enabled !== null) return this.enabled;
    const { rows } = await this.options.pool.query<{ lanname: string | null }>(
      `select (select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang
                where p.oid = to_regprocedure('net.wake()')) as lanname`,
    );
    // A real pg_net (C) has its own worker; with no pg_net at all, look again next time.
    const lanname = rows[0]?.lanname ?? null;
    this.enabled = lanname === null ? null : lanname !== 'c';
    return this.enabled === true;
  }

  private async drain(): Promise<void> {
    if (!(await this.isEmulation())) return;
    if (Date.now() - this.lastPrune >= 1000) await this.prune();
    while (!this.stopped) {
      const free = this.options.concurrency - this.inflight.size;
      if (free <= 0) return; // a finishing request wakes the worker again
      // Claiming deletes the rows, as pg_net does: each request is sent at most once.
      const { rows } = await this.options.pool.query<NetRequest>(
        `with claimed as (
           select id from net.http_request_queue order by id limit $1 for update skip locked
         )
         delete from net.http_request_queue q using claimed where q.id = claimed.id
         returning q.id::text, q.method, q.url, q.headers, q.body, q.timeout_milliseconds`,
        [free],
      );
      for (const row of rows) this.send(row);
      if (rows.length < free) return;
    }
  }

  private send(req: NetRequest): void {
    const job = sendNetRequest(req, this.agents, this.abort.signal)
      .then((outcome) => this.record(req.id, outcome))
      .catch((err: Error) => this.options.log(`pg_net: cannot record response ${req.id}: ${err.message}`))
      .finally(() => {
        this.inflight.delete(job);
        this.wake();
      });
    this.inflight.add(job);
  }

  private async record(id: string, o: NetOutcome): Promise<void> {
    await this.options.pool.query(
      `insert into net._http_response (id, status_code, content, headers, content_type, timed_out, error_msg)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        id,
        o.status_code,
        o.content,
        o.headers === null ? null : JSON.stringify(o.headers),
        o.content_type,
        o.timed_out,
        o.error_msg,
      ],
    );
  }

  /** Deletes responses older than `pg_net.ttl` (default 6 hours); pg_net's worker does it while processing, so does each drain. */
  async prune(): Promise<number> {
    if (this.stopped || !(await this.isEmulation().catch(() => false))) return 0;
    this.lastPrune = Date.now();
    const result = await this.options.pool
      .query(
        `delete from net._http_response
          where created < now() - coalesce(nullif(current_setting('pg_net.ttl', true), ''), '6 hours')::interval`,
      )
      .catch(() => null);
    return result?.rowCount ?? 0;
  }

  /** Stops sweeping, cancels requests in flight (recorded as errors) and waits for them to be written. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.draining?.catch(() => {});
    this.abort.abort();
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((r) => setTimeout(r, 5000).unref())]);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
