/** The seed's server object, built from a public.host_status row (pure). */

/** A row of public.host_status as the API reads it (sizes in bytes, rates in bytes/s). */
export interface HostStatusRow {
  host_id: string;
  team_id: string;
  name: string;
  slug: string;
  status: string;
  last_seen_at: string | null;
  cpu_total: number | null;
  cpu_count: number | null;
  mem_total: number | string | null;
  mem_used: number | string | null;
  mem_percent: number | null;
  disk_total: number | string | null;
  disk_used: number | string | null;
  disk_percent: number | null;
  net_rx_bps: number | null;
  net_tx_bps: number | null;
  net_connections: number | null;
  uptime_s: number | string | null;
}

/** Columns selected from host_status, matching HostStatusRow. */
export const hostStatusColumns =
  'host_id,team_id,name,slug,status,last_seen_at,cpu_total,cpu_count,mem_total,mem_used,mem_percent,disk_total,disk_used,disk_percent,net_rx_bps,net_tx_bps,net_connections,uptime_s';

/** Health as the seed names it. */
export type ServerStatus = 'healthy' | 'warning' | 'critical' | 'offline';

/** One server in GET /api/monitoring/servers: sizes in MB, usage in percent, rates in bytes/s, uptime in s. */
export interface Server {
  id: string;
  slug: string;
  name: string;
  status: ServerStatus;
  cpu: { usage: number | null; cores: number | null };
  memory: { total: number | null; used: number | null; usage: number | null };
  disk: { total: number | null; used: number | null; usage: number | null };
  network: { rx: number | null; tx: number | null; connections: number | null };
  uptime: number | null;
  lastChecked: string | null;
}

const MB = 1024 * 1024;

/** A number or null (bigint columns may arrive as strings). */
function num(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Percentages keep one decimal, as in the seed's examples. */
export function percent(v: number | string | null | undefined): number | null {
  const n = num(v);
  return n === null ? null : Math.round(n * 10) / 10;
}

/** Whole units (MB, bytes/s, seconds, counts). */
export function whole(v: number | string | null | undefined, divisor = 1): number | null {
  const n = num(v);
  return n === null ? null : Math.round(n / divisor);
}

const statuses = new Set<string>(['healthy', 'warning', 'critical', 'offline']);

/** Maps a host_status row to the seed's server object. */
export function toServer(row: HostStatusRow): Server {
  return {
    id: row.host_id,
    slug: row.slug,
    name: row.name,
    status: (statuses.has(row.status) ? row.status : 'offline') as ServerStatus,
    cpu: { usage: percent(row.cpu_total), cores: whole(row.cpu_count) },
    memory: { total: whole(row.mem_total, MB), used: whole(row.mem_used, MB), usage: percent(row.mem_percent) },
    disk: { total: whole(row.disk_total, MB), used: whole(row.disk_used, MB), usage: percent(row.disk_percent) },
    network: { rx: whole(row.net_rx_bps), tx: whole(row.net_tx_bps), connections: whole(row.net_connections) },
    uptime: whole(row.uptime_s),
    lastChecked: row.last_seen_at ? new Date(row.last_seen_at).toISOString() : null,
  };
}

/** Whether a serverId (a host's id or slug) names this server. */
export function matchesServerId(server: Server, serverId: string): boolean {
  return server.id === serverId.toLowerCase() || server.slug === serverId.toLowerCase();
}
