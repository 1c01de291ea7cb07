/**
 * Decodes OTLP/JSON requests (the proto3 JSON mapping with OTLP's deviations: lowerCamelCase keys,
 * integer enums, hex ids, 64-bit integers as decimal strings or numbers) into the agent's model.
 * Unknown keys are ignored, as the spec requires; a known key with the wrong type is an error that
 * names its path, so a sender can find the fault.
 */
import {
  SPAN_KIND_SERVER,
  type Attrs,
  type ExpHistogramPoint,
  type HistogramPoint,
  type Metric,
  type NumberPoint,
  type ResourceMetrics,
  type ResourceSpans,
  type Span,
  type Temporality,
} from './model.ts';

/** A JSON payload whose shape is not an OTLP request. */
export class OtlpJsonError extends Error {
  override name = 'OtlpJsonError';
}

type Obj = Record<string, unknown>;

function fail(path: string, expected: string, got: unknown): never {
  const shown = got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got;
  throw new OtlpJsonError(`${path}: expected ${expected}, got ${shown}`);
}

function obj(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function optObj(v: unknown, path: string): Obj | null {
  return v === undefined || v === null ? null : obj(v, path);
}

function arr(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

/** A proto3 JSON number: a number, a decimal string, or "NaN"/"Infinity"/"-Infinity". */
function num(v: unknown, path: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return Number(v);
  }
  return fail(path, 'a number or a decimal string', v);
}

function optNum(v: unknown, path: string): number | null {
  return v === undefined || v === null ? null : num(v, path, 0);
}

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

/** A Unix-nanosecond timestamp as [whole seconds, nanoseconds], exact for decimal strings. */
function nanos(v: unknown, path: string): [number, number] {
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    return v.length > 9 ? [Number(v.slice(0, -9)), Number(v.slice(-9))] : [0, Number(v)];
  }
  const n = num(v, path, 0);
  if (!(n >= 0)) fail(path, 'a non-negative timestamp', v);
  return [Math.floor(n / 1e9), n % 1e9];
}

const toNs = (t: [number, number]) => t[0] * 1e9 + t[1];

function attributes(v: unknown, path: string, into: Attrs = {}): Attrs {
  const list = arr(v, path);
  for (let i = 0; i < list.length; i++) {
    const kv = obj(list[i], `${path}[${i}]`);
    const key = str(kv.key, `${path}[${i}].key`);
    const value = optObj(kv.value, `${path}[${i}].value`);
    if (!key || !value) continue;
    if (typeof value.stringValue === 'string') into[key] = value.stringValue;
    else if (typeof value.boolValue === 'boolean') into[key] = value.boolValue;
    else if (value.intValue !== undefined) into[key] = num(value.intValue, `${path}[${i}].value.intValue`, 0);
    else if (value.doubleValue !== undefined) into[key] = num(value.doubleValue, `${path}[${i}].value.doubleValue`, 0);
  }
  return into;
}

function temporality(v: unknown, path: string): Temporality {
  const t = num(v, path, 0);
  return t === 1 || t === 2 ? t : 0;
}

/** Fields every data point has: attributes and its time window. */
function pointBase(o: Obj, path: string): { attrs: Attrs; startNs: number; timeNs: number } {
  return {
    attrs: attributes(o.attributes, `${path}.attributes`),
    startNs: toNs(nanos(o.startTimeUnixNano, `${path}.startTimeUnixNano`)),
    timeNs: toNs(nanos(o.timeUnixNano, `${path}.timeUnixNano`)),
  };
}

/** Fields both histogram kinds add: count, sum, min and max. */
function histogramBase(o: Obj, path: string) {
  return {
    ...pointBase(o, path),
    count: num(o.count, `${path}.count`, 0),
    sum: optNum(o.sum, `${path}.sum`),
    min: optNum(o.min, `${path}.min`),
    max: optNum(o.max, `${path}.max`),
  };
}

function numberList(v: unknown, path: string): number[] {
  return arr(v, path).map((c, i) => num(c, `${path}[${i}]`, 0));
}

function numberPoint(o: Obj, path: string): NumberPoint {
  const value = o.asDouble !== undefined ? num(o.asDouble, `${path}.asDouble`, 0) : num(o.asInt, `${path}.asInt`, 0);
  return { ...pointBase(o, path), value };
}

function histogramPoint(o: Obj, path: string): HistogramPoint {
  return {
    ...histogramBase(o, path),
    counts: numberList(o.bucketCounts, `${path}.bucketCounts`),
    bounds: numberList(o.explicitBounds, `${path}.explicitBounds`),
  };
}

function expPoint(o: Obj, path: string): ExpHistogramPoint {
  const positive = optObj(o.positive, `${path}.positive`);
  return {
    ...histogramBase(o, path),
    scale: num(o.scale, `${path}.scale`, 0),
    zeroCount: num(o.zeroCount, `${path}.zeroCount`, 0),
    zeroThreshold: num(o.zeroThreshold, `${path}.zeroThreshold`, 0),
    positiveOffset: positive ? num(positive.offset, `${path}.positive.offset`, 0) : 0,
    positiveCounts: positive ? numberList(positive.bucketCounts, `${path}.positive.bucketCounts`) : [],
  };
}

function points<P>(data: Obj, path: string, read: (o: Obj, path: string) => P): P[] {
  return arr(data.dataPoints, `${path}.dataPoints`).map((p, i) =>
    read(obj(p, `${path}.dataPoints[${i}]`), `${path}.dataPoints[${i}]`),
  );
}

function metric(o: Obj, path: string): Metric {
  const m: Metric = {
    name: str(o.name, `${path}.name`),
    unit: str(o.unit, `${path}.unit`),
    data: { kind: 'other', points: 0 },
  };
  let d: Obj | null;
  if ((d = optObj(o.histogram, `${path}.histogram`))) {
    m.data = {
      kind: 'histogram',
      temporality: temporality(d.aggregationTemporality, `${path}.histogram.aggregationTemporality`),
      points: points(d, `${path}.histogram`, histogramPoint),
    };
  } else if ((d = optObj(o.exponentialHistogram, `${path}.exponentialHistogram`))) {
    const p = `${path}.exponentialHistogram`;
    m.data = {
      kind: 'exponential',
      temporality: temporality(d.aggregationTemporality, `${p}.aggregationTemporality`),
      points: points(d, p, expPoint),
    };
  } else if ((d = optObj(o.sum, `${path}.sum`))) {
    m.data = {
      kind: 'sum',
      temporality: temporality(d.aggregationTemporality, `${path}.sum.aggregationTemporality`),
      monotonic: d.isMonotonic === true,
      points: points(d, `${path}.sum`, numberPoint),
    };
  } else if ((d = optObj(o.gauge, `${path}.gauge`))) {
    m.data = { kind: 'gauge', points: points(d, `${path}.gauge`, numberPoint) };
  } else if ((d = optObj(o.summary, `${path}.summary`))) {
    m.data = { kind: 'other', points: arr(d.dataPoints, `${path}.summary.dataPoints`).length };
  }
  return m;
}

function span(o: Obj, path: string): Span {
  const start = nanos(o.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const end = nanos(o.endTimeUnixNano, `${path}.endTimeUnixNano`);
  const status = optObj(o.status, `${path}.status`);
  const kind = num(o.kind, `${path}.kind`, 0);
  return {
    name: str(o.name, `${path}.name`),
    kind,
    startNs: toNs(start),
    durationNs: (end[0] - start[0]) * 1e9 + (end[1] - start[1]),
    statusCode: status ? num(status.code, `${path}.status.code`, 0) : 0,
    // As in the protobuf decoder: only SERVER spans' attributes are read.
    attrs:
      kind === SPAN_KIND_SERVER
        ? attributes(o.attributes, `${path}.attributes`)
        : (arr(o.attributes, `${path}.attributes`), {}),
  };
}

/** Walks resource blocks → scope blocks → items, with the key names of one signal. */
function blocks<T>(
  body: unknown,
  top: string,
  scopeKey: string,
  itemKey: string,
  read: (o: Obj, path: string) => T,
): { resource: Attrs; items: T[] }[] {
  const root = obj(body, 'request body');
  return arr(root[top], top).map((rb, i) => {
    const rp = `${top}[${i}]`;
    const block = obj(rb, rp);
    const res = optObj(block.resource, `${rp}.resource`);
    const items: T[] = [];
    const scopes = arr(block[scopeKey], `${rp}.${scopeKey}`);
    for (let j = 0; j < scopes.length; j++) {
      const sp = `${rp}.${scopeKey}[${j}]`;
      const list = arr(obj(scopes[j], sp)[itemKey], `${sp}.${itemKey}`);
      for (let k = 0; k < list.length; k++)
        items.push(read(obj(list[k], `${sp}.${itemKey}[${k}]`), `${sp}.${itemKey}[${k}]`));
    }
    return { resource: res ? attributes(res.attributes, `${rp}.resource.attributes`) : {}, items };
  });
}

/** Decodes a parsed JSON ExportMetricsServiceRequest; throws `OtlpJsonError` naming the faulty path. */
export function decodeMetricsJson(body: unknown): ResourceMetrics[] {
  return blocks(body, 'resourceMetrics', 'scopeMetrics', 'metrics', metric).map((b) => ({
    resource: b.resource,
    metrics: b.items,
  }));
}

/** Decodes a parsed JSON ExportTraceServiceRequest; throws `OtlpJsonError` naming the faulty path. */
export function decodeTracesJson(body: unknown): ResourceSpans[] {
  return blocks(body, 'resourceSpans', 'scopeSpans', 'spans', span).map((b) => ({
    resource: b.resource,
    spans: b.items,
  }));
}
