/**
 * The seed's server object from a public.host_status row, through the same mapping the cache-snapshots
 * edge function uses (server-snapshot.ts), so an answer is identical whichever side filled the cache.
 */
import type { Tables } from '$shared/database.types.ts';
import { toServerStats, type LatestRow, type ServerStats, type ServerStatus } from '$shared/server-snapshot.ts';

export type { ServerStats };

/** Columns selected from host_status: the latest sample's columns (bytes, bytes/s) plus the host's. */
export const hostStatusColumns =
  'host_id,team_id,name,status,last_seen_at,cpu_total,cpu_count,mem_total,mem_used,disk_total,disk_used,net_rx_bps,net_tx_bps,net_connections,uptime_s';

/** A row of public.host_status as the API reads it (supabase-js infers the same type from hostStatusColumns). */
export type HostStatusRow = Pick<
  Tables<'host_status'>,
  | 'host_id'
  | 'team_id'
  | 'name'
  | 'status'
  | 'last_seen_at'
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

const statuses = new Set<string>(['healthy', 'warning', 'critical', 'offline']);

/** Maps a host_status row to the seed's server object (status as the view computed it). */
export function toServer(row: HostStatusRow): ServerStats {
  const status = (row.status && statuses.has(row.status) ? row.status : 'offline') as ServerStatus;
  // host_latest and last_seen_at are written by the same ingest trigger: no sample yet means no snapshot.
  const latest: LatestRow | null = row.last_seen_at ? { ...row, ts: row.last_seen_at } : null;
  // sample_interval_s only feeds the status calculation, which the view has already done. Views' columns are
  // all nullable in the generated types; host_id and name come from hosts' not-null columns.
  return toServerStats(
    { id: row.host_id!, name: row.name!, sample_interval_s: 0, last_seen_at: row.last_seen_at },
    latest,
    status,
  );
}

/** Percentages keep one decimal, as in the seed's examples. */
export function percent(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10) / 10;
}

/** Whole units (bytes/s, counts). */
export function whole(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v);
}
