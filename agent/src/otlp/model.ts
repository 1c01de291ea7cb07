/**
 * What the OTLP decoders (JSON and protobuf) produce: the parts of ExportMetricsServiceRequest and
 * ExportTraceServiceRequest the agent derives figures from, with scopes flattened away.
 */

/** A primitive attribute value; arrays, maps and bytes are kept out (no derivation reads them). */
export type AttrValue = string | number | boolean;

/** Attributes by key. */
export type Attrs = Record<string, AttrValue>;

/** AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export type Temporality = 0 | 1 | 2;

/** A HistogramDataPoint. Times are Unix nanoseconds as numbers (sub-microsecond precision is not needed for windows). */
export interface HistogramPoint {
  attrs: Attrs;
  startNs: number;
  timeNs: number;
  count: number;
  sum: number | null;
  /** Upper bounds of all buckets but the last (+Inf). */
  bounds: number[];
  /** One more than `bounds`, or empty when the point carries only count and sum. */
  counts: number[];
  min: number | null;
  max: number | null;
}

/** An ExponentialHistogramDataPoint (negative buckets dropped: durations are never negative). */
export interface ExpHistogramPoint {
  attrs: Attrs;
  startNs: number;
  timeNs: number;
  count: number;
  sum: number | null;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positiveOffset: number;
  positiveCounts: number[];
  min: number | null;
  max: number | null;
}

/** A NumberDataPoint of a Sum or Gauge. */
export interface NumberPoint {
  attrs: Attrs;
  startNs: number;
  timeNs: number;
  value: number;
}

/** The data of one Metric, by kind. */
export type MetricData =
  | { kind: 'histogram'; temporality: Temporality; points: HistogramPoint[] }
  | { kind: 'exponential'; temporality: Temporality; points: ExpHistogramPoint[] }
  | { kind: 'sum'; temporality: Temporality; monotonic: boolean; points: NumberPoint[] }
  | { kind: 'gauge'; points: NumberPoint[] }
  | { kind: 'other'; points: number };

/** One Metric. */
export interface Metric {
  name: string;
  unit: string;
  data: MetricData;
}

/** A ResourceMetrics with its scopes' metrics in one list. */
export interface ResourceMetrics {
  resource: Attrs;
  metrics: Metric[];
}

/** SpanKind: 2 is SERVER. */
export const SPAN_KIND_SERVER = 2;
/** Status.code: 2 is ERROR. */
export const STATUS_ERROR = 2;

/** One Span. */
export interface Span {
  name: string;
  kind: number;
  startNs: number;
  /** End minus start, exact (computed from the full 64-bit values). */
  durationNs: number;
  statusCode: number;
  /** Attributes of SERVER spans; empty for other kinds, which no figure reads. */
  attrs: Attrs;
}

/** A ResourceSpans with its scopes' spans in one list. */
export interface ResourceSpans {
  resource: Attrs;
  spans: Span[];
}

/** Counts every data point in a decoded metrics request (for partial_success bookkeeping). */
export function countDataPoints(req: ResourceMetrics[]): number {
  let n = 0;
  for (const rm of req)
    for (const m of rm.metrics) n += typeof m.data.points === 'number' ? m.data.points : m.data.points.length;
  return n;
}

/** Counts every span in a decoded traces request. */
export function countSpans(req: ResourceSpans[]): number {
  let n = 0;
  for (const rs of req) n += rs.spans.length;
  return n;
}
