/**
 * Latency percentiles: from histogram buckets by linear interpolation (observations spread evenly
 * within a bucket, as Prometheus' histogram_quantile assumes), and exactly from a list of span
 * durations (nearest rank). Buckets from series with different bounds are combined correctly: the
 * distribution is the sum of each bucket's uniform density, whose CDF is piecewise linear.
 */
import type { ExpHistogramPoint, HistogramPoint } from './model.ts';

/** Observations `n` spread over [lo, hi] (a point mass when lo = hi). */
export interface Bucket {
  lo: number;
  hi: number;
  n: number;
}

/**
 * Buckets of an explicit-bounds histogram point, scaled by `unit` (to ms). The open first bucket
 * starts at the point's min (or 0: durations are never negative); the +Inf bucket ends at its max
 * (or at the last bound, as histogram_quantile does).
 */
export function explicitBuckets(p: HistogramPoint, unit: number, counts: number[] = p.counts): Bucket[] {
  const out: Bucket[] = [];
  const b = p.bounds;
  const min = p.min !== null && Number.isFinite(p.min) ? Math.max(0, p.min) : null;
  const max = p.max !== null && Number.isFinite(p.max) ? p.max : null;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (!(n > 0)) continue;
    let lo = i === 0 ? (min ?? Math.min(0, b[0] ?? 0)) : b[i - 1]!;
    let hi = i < b.length ? b[i]! : (max ?? b[b.length - 1] ?? lo);
    // min and max bound the observations in every bucket, not just the open ones.
    if (min !== null && lo < min) lo = Math.min(min, hi);
    if (max !== null && hi > max) hi = Math.max(max, lo);
    out.push({ lo: lo * unit, hi: hi * unit, n });
  }
  return out;
}

/** Buckets of an exponential histogram point: index i covers (base^i, base^(i+1)], base = 2^(2^-scale). */
export function exponentialBuckets(
  p: ExpHistogramPoint,
  unit: number,
  counts: number[] = p.positiveCounts,
  offset = p.positiveOffset,
): Bucket[] {
  const out: Bucket[] = [];
  if (p.zeroCount > 0) out.push({ lo: 0, hi: p.zeroThreshold * unit, n: p.zeroCount });
  const step = 2 ** -p.scale;
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k]!;
    if (!(n > 0)) continue;
    let lo = 2 ** ((offset + k) * step);
    let hi = 2 ** ((offset + k + 1) * step);
    if (p.min !== null && lo < p.min) lo = Math.min(p.min, hi);
    if (p.max !== null && hi > p.max) hi = Math.max(p.max, lo);
    out.push({ lo: lo * unit, hi: hi * unit, n });
  }
  return out;
}

/** Percentiles (each q in [0, 1]) of the distribution the buckets describe; NaN when it is empty. */
export function bucketQuantiles(buckets: Bucket[], qs: number[]): number[] {
  let total = 0;
  const xsSet = new Set<number>();
  for (const b of buckets) {
    total += b.n;
    xsSet.add(b.lo);
    xsSet.add(b.hi);
  }
  if (!(total > 0)) return qs.map(() => NaN);
  const xs = [...xsSet].sort((a, b) => a - b);
  // Point masses at each breakpoint and the spread mass of each segment [xs[i], xs[i+1]].
  const point = new Float64Array(xs.length);
  const seg = new Float64Array(xs.length);
  const index = new Map(xs.map((x, i) => [x, i]));
  for (const b of buckets) {
    const i = index.get(b.lo)!;
    if (b.hi === b.lo) {
      point[i]! += b.n;
      continue;
    }
    const j = index.get(b.hi)!;
    const density = b.n / (b.hi - b.lo);
    for (let k = i; k < j; k++) seg[k]! += density * (xs[k + 1]! - xs[k]!);
  }
  return qs.map((q) => {
    const target = Math.min(1, Math.max(0, q)) * total;
    let c = 0;
    for (let i = 0; i < xs.length; i++) {
      c += point[i]!;
      if (c >= target && c > 0) return xs[i]!;
      const m = seg[i]!;
      if (m > 0 && c + m >= target) return xs[i]! + ((target - c) / m) * (xs[i + 1]! - xs[i]!);
      c += m;
    }
    return xs[xs.length - 1]!;
  });
}

/** Nearest-rank percentiles of raw values (sorted in place). */
export function exactQuantiles(values: Float64Array, qs: number[]): number[] {
  values.sort();
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  return qs.map((q) => values[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
}
