/** Chart rows from public.metrics_range rows (pure): averages per field, and the bucket peaks of rollups. */
import type { SeriesRow } from './downsample.ts';

/** The key of a field's bucket maximum in a chart row. */
export const peakKey = (field: string): string => `${field}_max`;

/**
 * One chart row: each field's value (the bucket average for 1m/1h rollups) and, for rollup rows only,
 * `<field>_max` from metrics_range, the largest raw sample in the bucket. Raw rows (and live
 * snapshots, which carry no resolution) leave the peak null: their value is the sample itself.
 */
export function rangeRow(r: Record<string, unknown>, fields: readonly string[]): SeriesRow {
  const row: SeriesRow = { ts: new Date(r.ts as string) };
  const rolled = r.resolution === '1m' || r.resolution === '1h';
  for (const f of fields) {
    row[f] = num(r[f]);
    row[peakKey(f)] = rolled ? num(r[peakKey(f)]) : null;
  }
  return row;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
