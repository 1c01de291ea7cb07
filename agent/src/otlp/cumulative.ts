/**
 * Turns cumulative histogram points into deltas by differencing each series (service instance,
 * metric, attributes) against its previous point, as the collector's cumulativetodelta processor
 * does. A series' first point counts whole only when the series started after the receiver did
 * (otherwise it would attribute a process' whole history to one interval); a restart (new start
 * time, or a count that went down) starts the series again from zero.
 */
import type { Attrs, ExpHistogramPoint, HistogramPoint } from './model.ts';

/** A delta: the point's own fields with counts for the window [startNs, timeNs] only. */
export interface Delta<P> {
  point: P;
  startNs: number;
  count: number;
  sum: number | null;
}

const NO_ATTRS: Attrs = Object.freeze({}) as Attrs;

interface Prev<P> {
  point: P;
  seenMs: number;
}

/** A stable key for a series: attributes sorted by key. */
export function seriesKey(prefix: string, attrs: Attrs): string {
  const keys = Object.keys(attrs).sort();
  let k = prefix;
  for (const key of keys) k += `\u0000${key}=${String(attrs[key])}`;
  return k;
}

/** Exponential buckets as index → count at `scale` (merging pairs of buckets when scaling down). */
function expIndexMap(p: ExpHistogramPoint, scale: number): Map<number, number> {
  const shift = p.scale - scale;
  const m = new Map<number, number>();
  for (let k = 0; k < p.positiveCounts.length; k++) {
    const n = p.positiveCounts[k]!;
    if (!n) continue;
    const idx = Math.floor((p.positiveOffset + k) / 2 ** shift);
    m.set(idx, (m.get(idx) ?? 0) + n);
  }
  return m;
}

/** Remembers the last cumulative point of each series, bounded in count and age. */
export class CumulativeState {
  readonly #series = new Map<string, Prev<HistogramPoint | ExpHistogramPoint>>();
  readonly #receiverStartNs: number;
  readonly #maxSeries: number;

  constructor(receiverStartNs: number, maxSeries = 50_000) {
    this.#receiverStartNs = receiverStartNs;
    this.#maxSeries = maxSeries;
  }

  /** Series remembered. */
  get size(): number {
    return this.#series.size;
  }

  /** Shared bounds arrays: every series of a metric has the same ones, so one copy serves thousands. */
  readonly #bounds = new Map<string, number[]>();

  /** What differencing needs and no more (10,000 series are kept for 50 services of 100 routes). */
  #slim(p: HistogramPoint | ExpHistogramPoint): HistogramPoint | ExpHistogramPoint {
    if ('bounds' in p) {
      const key = p.bounds.join(',');
      let bounds = this.#bounds.get(key);
      if (!bounds) {
        if (this.#bounds.size >= 1000) this.#bounds.clear();
        this.#bounds.set(key, (bounds = p.bounds));
      }
      return { ...p, attrs: NO_ATTRS, bounds, counts: p.counts.slice(), min: null, max: null };
    }
    return { ...p, attrs: NO_ATTRS, min: null, max: null };
  }

  #remember(key: string, point: HistogramPoint | ExpHistogramPoint, nowMs: number): void {
    this.#series.delete(key);
    this.#series.set(key, { point: this.#slim(point), seenMs: nowMs });
    // Oldest-updated first in a Map re-inserted on update: evict from the front.
    while (this.#series.size > this.#maxSeries) this.#series.delete(this.#series.keys().next().value!);
  }

  /** Whether a point with no predecessor counts whole. */
  #firstCounts(p: { startNs: number }): boolean {
    return p.startNs >= this.#receiverStartNs;
  }

  /** The delta of an explicit-bounds cumulative point, or null when it only sets the baseline. */
  histogram(key: string, p: HistogramPoint, nowMs: number): Delta<HistogramPoint> | null {
    const prev = this.#series.get(key)?.point as HistogramPoint | undefined;
    this.#remember(key, p, nowMs);
    const sameBounds = prev && prev.bounds.length === p.bounds.length && prev.bounds.every((b, i) => b === p.bounds[i]);
    if (
      !prev ||
      prev.startNs !== p.startNs ||
      p.count < prev.count ||
      !sameBounds ||
      prev.counts.length !== p.counts.length
    ) {
      return this.#firstCounts(p) ? { point: p, startNs: p.startNs, count: p.count, sum: p.sum } : null;
    }
    const counts = p.counts.map((c, i) => Math.max(0, c - prev.counts[i]!));
    const sum = p.sum !== null && prev.sum !== null ? p.sum - prev.sum : null;
    return {
      point: { ...p, counts, count: p.count - prev.count, sum },
      startNs: prev.timeNs,
      count: p.count - prev.count,
      sum,
    };
  }

  /** The delta of an exponential cumulative point, or null when it only sets the baseline. */
  exponential(key: string, p: ExpHistogramPoint, nowMs: number): Delta<ExpHistogramPoint> | null {
    const prev = this.#series.get(key)?.point as ExpHistogramPoint | undefined;
    this.#remember(key, p, nowMs);
    if (!prev || prev.startNs !== p.startNs || p.count < prev.count || prev.positiveCounts === undefined) {
      return this.#firstCounts(p) ? { point: p, startNs: p.startNs, count: p.count, sum: p.sum } : null;
    }
    // The SDK may lower the scale as the range grows: compare both at the lower scale.
    const scale = Math.min(p.scale, prev.scale);
    const cur = expIndexMap(p, scale);
    const old = expIndexMap(prev, scale);
    const idx = [...cur.keys()];
    const offset = idx.length ? Math.min(...idx) : 0;
    const top = idx.length ? Math.max(...idx) : -1;
    const counts: number[] = [];
    for (let i = offset; i <= top; i++) counts.push(Math.max(0, (cur.get(i) ?? 0) - (old.get(i) ?? 0)));
    const sum = p.sum !== null && prev.sum !== null ? p.sum - prev.sum : null;
    const point: ExpHistogramPoint = {
      ...p,
      scale,
      count: p.count - prev.count,
      sum,
      zeroCount: Math.max(0, p.zeroCount - prev.zeroCount),
      positiveOffset: offset,
      positiveCounts: counts,
    };
    return { point, startNs: prev.timeNs, count: point.count, sum };
  }

  /** Forgets series not updated since `cutoffMs`. */
  expire(cutoffMs: number): void {
    for (const [k, v] of this.#series) {
      if (v.seenMs >= cutoffMs) break;
      this.#series.delete(k);
    }
  }
}
