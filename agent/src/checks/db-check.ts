/** Database checks for one Postgres connection string: pg_stat_activity, pg_stat_database, pg_stat_statements. */
import pg from 'pg';
import type { DbCheckResult, TopStatement } from '../sample.ts';
import { counterDelta, round } from '../collect/counters.ts';
import { redact } from './db-url.ts';

/** One configured database. */
export interface DbTarget {
  /** Stored as `db_name`; defaults to the database name in the URL. */
  name: string;
  url: string;
}

interface Counters {
  at: number;
  blksHit: number;
  blksRead: number;
  commits: number;
  rollbacks: number;
  deadlocks: number;
  tempBytes: number;
}

const STATS_SQL = `
select
  (select coalesce(json_object_agg(state, n), '{}') from (
     select coalesce(state, 'unknown') as state, count(*) as n from pg_stat_activity
     where backend_type = 'client backend' group by 1) s) as by_state,
  (select count(*) from pg_stat_activity where backend_type = 'client backend' and wait_event_type = 'Lock') as waiting,
  (select count(*) from pg_stat_activity where backend_type = 'client backend') as total,
  current_setting('max_connections')::int as max_connections,
  d.blks_hit, d.blks_read, d.xact_commit, d.xact_rollback, d.deadlocks, d.temp_bytes,
  pg_database_size(current_database()) as size_bytes,
  (select extract(epoch from max(clock_timestamp() - query_start)) from pg_stat_activity
     where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid()) as longest_s,
  -- On a standby: how far replay is behind. On a primary: the slowest physical standby; logical
  -- decoding consumers (Realtime, CDC tools) are walsenders too but not replicas, so they are left out.
  case when pg_is_in_recovery() then extract(epoch from now() - pg_last_xact_replay_timestamp())
       else (select extract(epoch from max(r.replay_lag)) from pg_stat_replication r
             where not exists (select 1 from pg_replication_slots s where s.active_pid = r.pid and s.slot_type = 'logical')) end as lag_s,
  (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
     where e.extname = 'pg_stat_statements') as pgss_schema
from pg_stat_database d where d.datname = current_database()`;

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Checks one database; keeps a connection open between checks and the previous counters for rates. */
export class DbChecker {
  readonly target: DbTarget;
  #client: pg.Client | null = null;
  #previous: Counters | null = null;
  readonly #topN: number;

  constructor(target: DbTarget, topN = 10) {
    this.target = target;
    this.#topN = topN;
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client({
      connectionString: this.target.url,
      application_name: 'vibe-agent',
      statement_timeout: 5000,
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => {
      // A dropped connection is noticed here; the next check reconnects.
      if (this.#client === client) this.#client = null;
    });
    await client.connect();
    this.#client = client;
    return client;
  }

  async #topStatements(client: pg.Client, schema: string | null): Promise<TopStatement[] | null> {
    if (!schema) return null;
    try {
      const { rows } = await client.query(
        `select queryid::text as queryid, left(query, 500) as query, calls, mean_exec_time, total_exec_time, rows
         from ${quoteIdent(schema)}.pg_stat_statements
         where dbid = (select oid from pg_database where datname = current_database())
         order by total_exec_time desc limit $1`,
        [this.#topN],
      );
      return rows.map((r) => ({
        queryid: String(r.queryid),
        query: String(r.query),
        calls: Number(r.calls),
        meanMs: round(Number(r.mean_exec_time), 3),
        totalMs: round(Number(r.total_exec_time), 3),
        rows: Number(r.rows),
      }));
    } catch {
      return null; // installed but not in shared_preload_libraries, or no permission to read it
    }
  }

  /** Runs the check. Never throws: a failure is a result with `up: false` and the reason. */
  async check(at: Date = new Date()): Promise<DbCheckResult> {
    const base = { ts: at.toISOString(), name: this.target.name };
    try {
      const client = await this.#connect();
      const { rows } = await client.query(STATS_SQL);
      const r = rows[0];
      if (!r) throw new Error('Cannot read pg_stat_database: no row for the current database');
      const now = performance.now();
      const cur: Counters = {
        at: now,
        blksHit: Number(r.blks_hit),
        blksRead: Number(r.blks_read),
        commits: Number(r.xact_commit),
        rollbacks: Number(r.xact_rollback),
        deadlocks: Number(r.deadlocks),
        tempBytes: Number(r.temp_bytes),
      };
      const prev = this.#previous;
      this.#previous = cur;
      const seconds = prev ? (now - prev.at) / 1000 : 0;
      const delta = (k: keyof Counters) => (prev ? counterDelta(prev[k], cur[k]) : null);
      const hit = delta('blksHit');
      const read = delta('blksRead');
      // Over the interval when there was block traffic, else since the statistics were reset.
      const cacheHitRatio =
        hit !== null && read !== null && hit + read > 0
          ? hit / (hit + read)
          : cur.blksHit + cur.blksRead > 0
            ? cur.blksHit / (cur.blksHit + cur.blksRead)
            : null;
      const byState = r.by_state as Record<string, number>;
      return {
        ...base,
        up: true,
        error: null,
        connectionsByState: { ...byState, waiting: Number(r.waiting) },
        connectionsTotal: Number(r.total),
        maxConnections: Number(r.max_connections),
        cacheHitRatio: cacheHitRatio === null ? null : round(cacheHitRatio, 4),
        commitsPerSec: prev && seconds > 0 ? round(delta('commits')! / seconds) : null,
        rollbacksPerSec: prev && seconds > 0 ? round(delta('rollbacks')! / seconds) : null,
        deadlocks: delta('deadlocks'),
        tempBytes: delta('tempBytes'),
        sizeBytes: Number(r.size_bytes),
        longestQuerySeconds: r.longest_s === null ? 0 : round(Number(r.longest_s), 3),
        replicationLagSeconds: num(r.lag_s) === null ? null : round(Math.max(0, Number(r.lag_s)), 3),
        topStatements: await this.#topStatements(client, r.pgss_schema as string | null),
      };
    } catch (err) {
      const client = this.#client;
      this.#client = null;
      await client?.end().catch(() => {});
      return {
        ...base,
        up: false,
        error: redact(err instanceof Error ? err.message : String(err), this.target.url),
        connectionsByState: {},
        connectionsTotal: null,
        maxConnections: null,
        cacheHitRatio: null,
        commitsPerSec: null,
        rollbacksPerSec: null,
        deadlocks: null,
        tempBytes: null,
        sizeBytes: null,
        longestQuerySeconds: null,
        replicationLagSeconds: null,
        topStatements: null,
      };
    }
  }

  /** Reads the counters once so the first real check already has rates. */
  async prime(): Promise<void> {
    await this.check();
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
