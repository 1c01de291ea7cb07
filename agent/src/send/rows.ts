/**
 * The one place that knows the table columns (supabase/migrations/*_create_host_samples.sql and
 * *_create_app_db_samples.sql): maps the agent's samples to rows and names each table's conflict key.
 */
import type { Json, TablesInsert } from '../../../supabase/functions/_shared/database.types.ts';
import type { DbCheckResult, HostSample, HttpCheckResult } from '../sample.ts';

/** The tables the agent writes. */
export type SampleTable = 'host_samples' | 'app_samples' | 'db_samples';

/** A row on its way to a table, as stored in the queue; the column types are the generated ones, so a schema change fails to compile here. */
export type QueuedRow = { [T in SampleTable]: { table: T; row: TablesInsert<T> } }[SampleTable];

/** Each table's primary key: inserts ignore rows already there, so a replay never duplicates. */
export const CONFLICT_KEYS: Record<SampleTable, string> = {
  host_samples: 'host_id,ts',
  app_samples: 'host_id,check_name,ts',
  db_samples: 'host_id,db_name,ts',
};

const clampPct = (v: number | undefined | null) =>
  v === undefined || v === null ? null : Math.min(100, Math.max(0, v));
const nonNeg = (v: number | undefined | null) => (v === undefined || v === null ? null : Math.max(0, v));

/** A host_samples row; parts whose collector failed stay null, and per-mount/interface/sensor detail goes to `detail`. */
export function hostSampleRow(hostId: string, s: HostSample): QueuedRow & { table: 'host_samples' } {
  const detail: Record<string, unknown> = {};
  if (s.disk) detail.mounts = s.disk.mounts;
  if (s.diskIo) detail.disks = s.diskIo.devices;
  if (s.network) detail.interfaces = s.network.interfaces;
  if (s.temperatures) detail.sensors = Object.fromEntries(s.temperatures.sensors.map((t) => [t.sensor, t.celsius]));
  if (s.tcp) detail.tcp = s.tcp.byState;
  if (s.processes) detail.processes = s.processes;
  if (s.topProcesses) detail.top_processes = s.topProcesses;
  // The ingest trigger fans mounts, disks, interfaces and containers out into their own tables.
  if (s.containers) detail.containers = s.containers;
  if (s.memory) detail.memory = { buffers: s.memory.buffersBytes, cached: s.memory.cachedBytes };
  if (Object.keys(s.errors).length) detail.errors = s.errors;
  const io = s.diskIo?.devices;
  return {
    table: 'host_samples',
    row: {
      host_id: hostId,
      ts: s.ts,
      cpu_total: clampPct(s.cpu?.totalPct),
      cpu_user: clampPct(s.cpu?.userPct),
      cpu_system: clampPct(s.cpu?.systemPct),
      cpu_iowait: clampPct(s.cpu?.iowaitPct),
      cpu_steal: clampPct(s.cpu?.stealPct),
      cpu_cores: s.cpu ? s.cpu.perCorePct.map((v) => Math.min(100, Math.max(0, v))) : null,
      cpu_count: s.cpu ? s.cpu.perCorePct.length : null,
      load_1: nonNeg(s.load?.load1),
      load_5: nonNeg(s.load?.load5),
      load_15: nonNeg(s.load?.load15),
      mem_total: s.memory?.totalBytes ?? null,
      mem_used: s.memory?.usedBytes ?? null,
      mem_available: s.memory?.availableBytes ?? null,
      swap_total: s.memory?.swapTotalBytes ?? null,
      swap_used: s.memory?.swapUsedBytes ?? null,
      disk_total: s.disk?.totalBytes ?? null,
      disk_used: s.disk?.usedBytes ?? null,
      disk_read_bps: s.diskIo?.readBytesPerSec ?? null,
      disk_write_bps: s.diskIo?.writeBytesPerSec ?? null,
      disk_read_iops: io ? io.reduce((a, d) => a + d.readsPerSec, 0) : null,
      disk_write_iops: io ? io.reduce((a, d) => a + d.writesPerSec, 0) : null,
      net_rx_bps: s.network?.rxBytesPerSec ?? null,
      net_tx_bps: s.network?.txBytesPerSec ?? null,
      net_connections: s.tcp?.total ?? null,
      uptime_s: s.uptimeSeconds ?? null,
      process_count: s.processes?.total ?? null,
      temp_c: s.temperatures?.maxCelsius ?? null,
      detail: detail as Json,
    },
  };
}

/** An app_samples row for one HTTP check. */
export function httpCheckRow(hostId: string, r: HttpCheckResult): QueuedRow & { table: 'app_samples' } {
  return {
    table: 'app_samples',
    row: {
      host_id: hostId,
      ts: r.ts,
      check_name: r.name.slice(0, 100),
      kind: 'http',
      target: r.url.slice(0, 2048),
      status: r.up ? 'up' : 'down',
      status_code: r.status,
      latency_ms: r.latencyMs,
      error: r.error?.slice(0, 1000) ?? null,
      detail: { method: r.method, tls_days_left: r.tlsDaysLeft },
    },
  };
}

/** A db_samples row for one database check. The table has no column for temp bytes or the longest query, so they are not sent. */
export function dbCheckRow(hostId: string, r: DbCheckResult): QueuedRow & { table: 'db_samples' } {
  const c = r.connectionsByState;
  const maxConnections = r.maxConnections;
  return {
    table: 'db_samples',
    row: {
      host_id: hostId,
      ts: r.ts,
      db_name: r.name.slice(0, 100),
      engine: 'postgres',
      connections_active: r.up ? (c.active ?? 0) : null,
      connections_idle: r.up ? (c.idle ?? 0) : null,
      connections_idle_in_tx: r.up ? (c['idle in transaction'] ?? 0) + (c['idle in transaction (aborted)'] ?? 0) : null,
      connections_waiting: r.up ? (c.waiting ?? 0) : null,
      // max_connections counts every backend slot; the total is capped so a superuser-reserved overflow never fails the row.
      connections_total:
        r.connectionsTotal === null
          ? null
          : maxConnections === null
            ? r.connectionsTotal
            : Math.min(r.connectionsTotal, maxConnections),
      max_connections: maxConnections,
      cache_hit_ratio: r.cacheHitRatio === null ? null : clampPct(r.cacheHitRatio * 100),
      xact_commit_rate: nonNeg(r.commitsPerSec),
      xact_rollback_rate: nonNeg(r.rollbacksPerSec),
      deadlocks: nonNeg(r.deadlocks),
      size_bytes: r.sizeBytes,
      replication_lag_s: nonNeg(r.replicationLagSeconds),
      top_statements: r.topStatements
        ? r.topStatements.map((t) => ({
            queryid: t.queryid,
            query: t.query,
            calls: t.calls,
            total_ms: t.totalMs,
            mean_ms: t.meanMs,
            rows: t.rows,
          }))
        : null,
    },
  };
}
