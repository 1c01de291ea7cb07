/**
 * Downsampling that keeps peaks (pure): rows are cut into equal buckets and each bucket keeps its real
 * rows holding the minimum and maximum of every field, in time order. A spike therefore survives any
 * reduction, unlike averaging or picking every n-th row.
 */

/** Reads one numeric field of a row; null values are skipped. */
export type Field<T> = (row: T) => number | null;

function pickExtremes<T>(rows: readonly T[], buckets: number, fields: readonly Field<T>[]): T[] {
  const picked: T[] = [];
  const size = rows.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size);
    const end = Math.min(rows.length, Math.floor((b + 1) * size));
    if (end <= start) continue;
    const keep = new Set<number>();
    for (const field of fields) {
      let lo = -1,
        hi = -1,
        loV = Infinity,
        hiV = -Infinity;
      for (let i = start; i < end; i++) {
        const v = field(rows[i] as T);
        if (v === null || Number.isNaN(v)) continue;
        if (v < loV) (loV = v), (lo = i);
        if (v > hiV) (hiV = v), (hi = i);
      }
      if (lo >= 0) keep.add(lo).add(hi);
    }
    if (keep.size === 0) keep.add(start);
    for (const i of [...keep].sort((a, b2) => a - b2)) picked.push(rows[i] as T);
  }
  return picked;
}

/** At most maxPoints rows of `rows` (in order), keeping each bucket's extremes of every field. */
export function downsampleExtremes<T>(rows: readonly T[], maxPoints: number, fields: readonly Field<T>[]): T[] {
  if (rows.length <= maxPoints) return [...rows];
  const perBucket = Math.max(1, fields.length * 2);
  if (maxPoints < perBucket)
    throw new RangeError(`downsampleExtremes: maxPoints must be at least ${perBucket}, got ${maxPoints}`);
  // Start optimistic (fields often peak on the same rows) and shrink until the result fits.
  let buckets = Math.floor(maxPoints / 2);
  for (;;) {
    const picked = pickExtremes(rows, buckets, fields);
    if (picked.length <= maxPoints || buckets === 1) return picked;
    buckets = Math.max(1, Math.min(buckets - 1, Math.floor((buckets * maxPoints) / picked.length)));
  }
}
