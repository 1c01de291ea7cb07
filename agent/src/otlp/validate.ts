/**
 * Checks of single histogram data points against the OTLP data model. A point that fails is
 * rejected alone (reported in partial_success); the rest of its request is still used.
 */
import type { ExpHistogramPoint, HistogramPoint } from './model.ts';

const countOk = (n: number) => Number.isFinite(n) && n >= 0;

/** Why an explicit-bounds point is unusable, or null when it is fine. */
export function validateHistogramPoint(p: HistogramPoint): string | null {
  if (!countOk(p.count)) return `count ${p.count} is not a non-negative number`;
  for (let i = 0; i < p.bounds.length; i++) {
    const b = p.bounds[i]!;
    if (!Number.isFinite(b)) return `explicit_bounds[${i}] is not finite`;
    if (i > 0 && !(b > p.bounds[i - 1]!)) return 'explicit_bounds are not strictly increasing';
  }
  if (p.counts.length === 0) return null;
  if (p.counts.length !== p.bounds.length + 1) {
    return `bucket_counts has ${p.counts.length} entries for ${p.bounds.length} explicit_bounds (expected ${p.bounds.length + 1})`;
  }
  let total = 0;
  for (const c of p.counts) {
    if (!countOk(c)) return `bucket count ${c} is not a non-negative number`;
    total += c;
  }
  if (total !== p.count) return `bucket_counts add up to ${total} but count is ${p.count}`;
  return null;
}

/** Why an exponential point is unusable, or null when it is fine. */
export function validateExpPoint(p: ExpHistogramPoint): string | null {
  if (!countOk(p.count)) return `count ${p.count} is not a non-negative number`;
  if (!Number.isInteger(p.scale) || p.scale < -10 || p.scale > 20) return `scale ${p.scale} is outside -10..20`;
  if (!countOk(p.zeroCount) || !countOk(p.zeroThreshold))
    return 'zero_count or zero_threshold is not a non-negative number';
  let total = p.zeroCount;
  for (const c of p.positiveCounts) {
    if (!countOk(c)) return `bucket count ${c} is not a non-negative number`;
    total += c;
  }
  // Negative buckets are not decoded, so the positive ones may add up to less than count, never more.
  if (total > p.count) return `buckets add up to ${total}, more than count ${p.count}`;
  return null;
}
