/** Row shapes the dashboard reads (host_status, host_latest broadcasts, the servers API) and the status rule. */
import type { Tables } from '$shared/database.types.ts';

/** Host health as the host_status view and the servers API name it. */
export type HostStatus = 'healthy' | 'warning' | 'critical' | 'offline';

/** The metric fields every snapshot source can fill. */
export interface HostMetrics {
  cpu: number | null;
  cpuCount: number | null;
  memPercent: number | null;
  memTotal: number | null;
  memUsed: number | null;
  diskPercent: number | null;
  diskTotal: number | null;
  diskUsed: number | null;
  load1: number | null;
  netRx: number | null;
  netTx: number | null;
  netConnections: number | null;
  uptime: number | null;
}

/** A host_status view row (also the first load of the overview). */
export type HostStatusRow = Tables<'host_status'>;

/** A host_latest row as the ingest trigger broadcasts it (without detail). */
export type LatestRow = Omit<Tables<'host_latest'>, 'detail'>;

/** An alert_events row (also inside ingest broadcasts). */
export type AlertEventRow = Tables<'alert_events'>;

/** One of a host's busiest processes (host_samples.detail.top_processes, as the agent sends it). */
export interface TopProcess {
  pid: number;
  name: string;
  user: string | null;
  /** % of one core. */
  cpu: number;
  /** Resident memory, bytes. */
  rss: number;
}

/** One container of a host's newest sample (host_latest.detail.containers, as the agent sends it). */
export interface LatestContainer {
  id: string;
  name: string;
  image: string | null;
  cpuPct: number;
  memUsedBytes: number;
  memLimitBytes: number | null;
  blkReadBytesPerSec: number;
  blkWriteBytesPerSec: number;
  netRxBytesPerSec: number | null;
  netTxBytesPerSec: number | null;
  pids: number | null;
}

/** The newest top processes of one host, from the `processes` broadcast (detail stays out of `ingest`). */
export interface ProcessesRow {
  host_id: string;
  ts: string;
  top_processes: TopProcess[];
}

/** The payload of the `ingest` broadcast on `team:<id>`, and of the small `processes` one. */
export interface IngestPayload {
  table: 'host_samples' | 'app_samples' | 'db_samples' | 'alert_rules' | 'alert_states' | 'hosts';
  hosts?: LatestRow[];
  processes?: ProcessesRow[];
  app?: Record<string, unknown>[];
  db?: Record<string, unknown>[];
  events?: AlertEventRow[];
}

/** One server of `GET /api/monitoring/servers` (seed field names and units: MB, percent, bytes/s, seconds). */
export interface ApiServer {
  id: string;
  name: string;
  status: HostStatus;
  cpu: { usage: number | null; cores: number | null };
  memory: { total: number | null; used: number | null; usage: number | null };
  disk: { total: number | null; used: number | null; usage: number | null };
  network: { rx: number | null; tx: number | null; connections: number | null };
  uptime: number | null;
  lastChecked: string | null;
}

const MB = 1024 * 1024;

/** Metrics from a host_status row. */
export function metricsFromStatus(r: HostStatusRow): HostMetrics {
  return {
    cpu: r.cpu_total,
    cpuCount: r.cpu_count,
    memPercent: r.mem_percent,
    memTotal: r.mem_total,
    memUsed: r.mem_used,
    diskPercent: r.disk_percent,
    diskTotal: r.disk_total,
    diskUsed: r.disk_used,
    load1: r.load_1,
    netRx: r.net_rx_bps,
    netTx: r.net_tx_bps,
    netConnections: r.net_connections,
    uptime: r.uptime_s,
  };
}

/** Metrics from a broadcast host_latest row. */
export function metricsFromLatest(r: LatestRow): HostMetrics {
  return {
    cpu: r.cpu_total,
    cpuCount: r.cpu_count,
    memPercent: r.mem_percent,
    memTotal: r.mem_total,
    memUsed: r.mem_used,
    diskPercent: r.disk_percent,
    diskTotal: r.disk_total,
    diskUsed: r.disk_used,
    load1: r.load_1,
    netRx: r.net_rx_bps,
    netTx: r.net_tx_bps,
    netConnections: r.net_connections,
    uptime: r.uptime_s,
  };
}

/** Metrics from an API server (MB back to bytes). */
export function metricsFromApi(s: ApiServer): HostMetrics {
  const b = (mb: number | null) => (mb == null ? null : mb * MB);
  return {
    cpu: s.cpu.usage,
    cpuCount: s.cpu.cores,
    memPercent: s.memory.usage,
    memTotal: b(s.memory.total),
    memUsed: b(s.memory.used),
    diskPercent: s.disk.usage,
    diskTotal: b(s.disk.total),
    diskUsed: b(s.disk.used),
    load1: null,
    netRx: s.network.rx,
    netTx: s.network.tx,
    netConnections: s.network.connections,
    uptime: s.uptime,
  };
}

/** The host_status rule: offline after `offlineAfterS` without a sample, else the worst firing severity. */
export function hostStatus(
  lastSeenAt: string | null,
  offlineAfterS: number,
  severities: Iterable<string>,
  now = Date.now(),
): HostStatus {
  if (!lastSeenAt || Date.parse(lastSeenAt) < now - offlineAfterS * 1000) return 'offline';
  let worst: HostStatus = 'healthy';
  for (const s of severities) {
    if (s === 'critical') return 'critical';
    if (s === 'warning') worst = 'warning';
  }
  return worst;
}
