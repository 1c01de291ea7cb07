/**
 * Maps a host and its latest sample to the seed's ServerStats (GET /api/monitoring/servers):
 * memory and disk in MB, usage in percent, uptime in seconds. Pure: its only import is types.
 */
import type { Tables } from './database.types.ts';

/** The seed's server status values. */
export type ServerStatus = 'healthy' | 'warning' | 'critical' | 'offline';

/** One server as the seed's API returns it. */
export interface ServerStats {
  id: string;
  name: string;
  status: ServerStatus;
  cpu: { usage: number; cores: number };
  memory: { total: number; used: number; usage: number };
  disk: { total: number; used: number; usage: number };
  network: { rx: number; tx: number; connections: number };
  uptime: number;
  lastChecked: string | null;
}

/** The host columns the mapping reads. */
export type HostRow = Pick<Tables<'hosts'>, 'id' | 'name' | 'sample_interval_s' | 'last_seen_at'>;

/** The host_latest columns the mapping reads (bytes, bytes per second, percent). */
export type LatestRow = Pick<
  Tables<'host_latest'>,
  | 'ts'
  | 'cpu_total'
  | 'cpu_count'
  | 'mem_total'
  | 'mem_used'
  | 'disk_total'
  | 'disk_used'
  | 'net_rx_bps'
  | 'net_tx_bps'
  | 'net_connections'
  | 'uptime_s'
>;

const MB = 1024 * 1024;
const round1 = (n: number): number => Math.round(n * 10) / 10;
const pct = (used: number, total: number): number => (total > 0 ? round1((used * 100) / total) : 0);

/**
 * Status: offline after `offlineAfterIntervals` sample intervals without a sample, else the worst
 * severity firing on the host (critical or warning), else healthy.
 */
export function serverStatus(
  host: HostRow,
  firing: 'critical' | 'warning' | null,
  now: Date,
  offlineAfterIntervals = 3,
): ServerStatus {
  const seen = host.last_seen_at ? Date.parse(host.last_seen_at) : NaN;
  if (!Number.isFinite(seen) || now.getTime() - seen > offlineAfterIntervals * host.sample_interval_s * 1000)
    return 'offline';
  return firing ?? 'healthy';
}

/** A host's ServerStats; a host that never reported has zeros and lastChecked null. */
export function toServerStats(host: HostRow, latest: LatestRow | null, status: ServerStatus): ServerStats {
  const memTotal = latest?.mem_total ?? 0;
  const memUsed = latest?.mem_used ?? 0;
  const diskTotal = latest?.disk_total ?? 0;
  const diskUsed = latest?.disk_used ?? 0;
  return {
    id: host.id,
    name: host.name,
    status,
    cpu: { usage: round1(latest?.cpu_total ?? 0), cores: latest?.cpu_count ?? 0 },
    memory: { total: Math.round(memTotal / MB), used: Math.round(memUsed / MB), usage: pct(memUsed, memTotal) },
    disk: { total: Math.round(diskTotal / MB), used: Math.round(diskUsed / MB), usage: pct(diskUsed, diskTotal) },
    // The seed shows network rx/tx as plain numbers; we keep bytes per second.
    network: {
      rx: Math.round(latest?.net_rx_bps ?? 0),
      tx: Math.round(latest?.net_tx_bps ?? 0),
      connections: latest?.net_connections ?? 0,
    },
    uptime: latest?.uptime_s ?? 0,
    lastChecked: latest ? new Date(latest.ts).toISOString() : null,
  };
}
