/** Reduces a time series to about `target` points per series while keeping each bucket's peak. */

/** A chart row: a time and numeric fields. */
export type SeriesRow = { ts: Date; [field: string]: number | null | Date };

/**
 * Buckets rows evenly by index and keeps, per bucket, the row time of the bucket's start and the
 * maximum of every field, so short spikes survive (an average would hide them).
 */
export function downsample(rows: SeriesRow[], target: number, fields: string[]): SeriesRow[] {
  if (rows.length <= target || target < 2) return rows;
  const size = rows.length / target;
  const out: SeriesRow[] = [];
  for (let b = 0; b < target; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(rows.length, Math.floor((b + 1) * size));
    if (start >= end) continue;
    const row: SeriesRow = { ts: rows[start]!.ts };
    for (const f of fields) {
      let max: number | null = null;
      for (let i = start; i < end; i++) {
        const v = rows[i]![f];
        if (typeof v === 'number' && (max === null || v > max)) max = v;
      }
      row[f] = max;
    }
    out.push(row);
  }
  return out;
}

/** The UTC hour of the week of a time, 0 = Monday 00:00 (the anomaly_baselines key). */
export function hourOfWeek(d: Date): number {
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}
