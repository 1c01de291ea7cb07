/** A host's metrics over a range, shaped as the seed's performance points and reduced to at most ~1,000. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { queryError } from './api-error.ts';
import { downsampleExtremes, type Field } from './downsample.ts';
import type { MetricName } from './performance-query.ts';
import { percent, whole } from './server-view.ts';

/** Most points one response holds. */
export const maxPoints = 1000;
/** PostgREST's default max_rows on hosted Supabase: larger results are read in pages of this size. */
const pageSize = 1000;
const maxPages = 50;

/** A row of public.metrics_range (percent 0–100, rates in bytes/s), the columns fetchRange selects. */
export type RangeRow = Pick<
  Database['public']['Functions']['metrics_range']['Returns'][number],
  | 'ts'
  | 'resolution'
  | 'cpu_total'
  | 'mem_percent'
  | 'disk_percent'
  | 'net_rx_bps'
  | 'net_tx_bps'
  | 'cpu_total_max'
  | 'mem_percent_max'
  | 'disk_percent_max'
  | 'net_rx_bps_max'
  | 'net_tx_bps_max'
>;

/** One point of GET /api/monitoring/performance; with ?metric= only that field is present. */
export interface PerformancePoint {
  timestamp: string;
  cpu?: number | null;
  memory?: number | null;
  disk?: number | null;
  network?: { rx: number | null; tx: number | null };
}

/** The cached answer: the points and the storage resolution they came from (raw, 1m or 1h). */
export interface PerformanceSeries {
  resolution: string | null;
  points: PerformancePoint[];
}

// Buckets are chosen by each row's minimum average and its maximum: for rollup rows the maximum is the
// bucket's peak (<metric>_max), so the bucket that held a raw spike survives downsampling; the values
// answered stay the seed's averages.
const fieldsOf: Record<MetricName, Field<RangeRow>[]> = {
  cpu: [(r) => r.cpu_total, (r) => r.cpu_total_max],
  memory: [(r) => r.mem_percent, (r) => r.mem_percent_max],
  disk: [(r) => r.disk_percent, (r) => r.disk_percent_max],
  network: [(r) => r.net_rx_bps, (r) => r.net_rx_bps_max, (r) => r.net_tx_bps, (r) => r.net_tx_bps_max],
};
const allFields = [...fieldsOf.cpu, ...fieldsOf.memory, ...fieldsOf.disk, ...fieldsOf.network];

/** Shapes a metrics_range row as a point with every field or only the requested one (pure). */
export function toPoint(row: RangeRow, metric: MetricName | null): PerformancePoint {
  const point: PerformancePoint = { timestamp: new Date(row.ts).toISOString() };
  if (metric === null || metric === 'cpu') point.cpu = percent(row.cpu_total);
  if (metric === null || metric === 'memory') point.memory = percent(row.mem_percent);
  if (metric === null || metric === 'disk') point.disk = percent(row.disk_percent);
  if (metric === null || metric === 'network') point.network = { rx: whole(row.net_rx_bps), tx: whole(row.net_tx_bps) };
  return point;
}

/** Reduces rows to at most maxPoints, keeping the extremes of the requested fields, and shapes them (pure). */
export function toSeries(rows: readonly RangeRow[], metric: MetricName | null): PerformanceSeries {
  const kept = downsampleExtremes(rows, maxPoints, metric ? fieldsOf[metric] : allFields);
  return { resolution: rows[0]?.resolution ?? null, points: kept.map((r) => toPoint(r, metric)) };
}

/**
 * Reads public.metrics_range for one host under the viewer's RLS. The function picks raw samples up to
 * 3 hours, 1-minute rollups up to 3 days and hourly ones beyond, so a page count stays small.
 */
export async function fetchRange(
  supabase: SupabaseClient<Database>,
  hostId: string,
  from: Date,
  to: Date,
): Promise<RangeRow[]> {
  const rows: RangeRow[] = [];
  for (let page = 0; page < maxPages; page++) {
    const { data, error } = await supabase
      .rpc('metrics_range', { p_host_id: hostId, p_from: from.toISOString(), p_to: to.toISOString() })
      .select(
        'ts,resolution,cpu_total,mem_percent,disk_percent,net_rx_bps,net_tx_bps,cpu_total_max,mem_percent_max,disk_percent_max,net_rx_bps_max,net_tx_bps_max',
      )
      .range(page * pageSize, page * pageSize + pageSize - 1);
    if (error) throw queryError('metrics', error);
    rows.push(...data);
    if (data.length < pageSize) break;
  }
  return rows;
}
