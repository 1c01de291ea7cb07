/**
 * Decodes binary-protobuf ExportMetricsServiceRequest and ExportTraceServiceRequest (field numbers
 * from opentelemetry-proto: common/v1, resource/v1, metrics/v1, trace/v1) into the agent's model.
 * Unknown fields are skipped, as proto3 requires; a field with the wrong wire type is an error.
 */
import {
  SPAN_KIND_SERVER,
  type Attrs,
  type ExpHistogramPoint,
  type HistogramPoint,
  type Metric,
  type MetricData,
  type NumberPoint,
  type ResourceMetrics,
  type ResourceSpans,
  type Span,
  type Temporality,
} from './model.ts';
import { expectWire, ProtobufError, ProtoReader, WIRE } from './protobuf.ts';

const TWO_32 = 4294967296;

/** AnyValue: 1 string, 2 bool, 3 int64, 4 double; arrays, maps and bytes are skipped. */
function readAnyValue(r: ProtoReader): string | number | boolean | undefined {
  let value: string | number | boolean | undefined;
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1 && w === WIRE.bytes) value = r.string();
    else if (f === 2 && w === WIRE.varint) value = r.varint() !== 0;
    else if (f === 3 && w === WIRE.varint) value = r.int64();
    else if (f === 4 && w === WIRE.fixed64) value = r.double();
    else r.skip(w);
  }
  return value;
}

/** Adds a KeyValue (1 key, 2 value) to `attrs`. */
function readKeyValue(r: ProtoReader, attrs: Attrs): void {
  let key = '';
  let value: string | number | boolean | undefined;
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expectWire(w, WIRE.bytes, 'KeyValue.key');
      key = r.string();
    } else if (f === 2) {
      expectWire(w, WIRE.bytes, 'KeyValue.value');
      value = readAnyValue(r.message());
    } else r.skip(w);
  }
  if (key && value !== undefined) attrs[key] = value;
}

/** Resource: 1 attributes. */
function readResource(r: ProtoReader): Attrs {
  const attrs: Attrs = {};
  while (!r.done()) {
    const t = r.tag();
    if (t >>> 3 === 1) {
      expectWire(t & 7, WIRE.bytes, 'Resource.attributes');
      readKeyValue(r.message(), attrs);
    } else r.skip(t & 7);
  }
  return attrs;
}

/** NumberDataPoint: 7 attributes, 2 start, 3 time, 4 as_double, 6 as_int. */
function readNumberPoint(r: ProtoReader): NumberPoint {
  const p: NumberPoint = { attrs: {}, startNs: 0, timeNs: 0, value: 0 };
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 7 && w === WIRE.bytes) readKeyValue(r.message(), p.attrs);
    else if (f === 2 && w === WIRE.fixed64) p.startNs = r.fixed64();
    else if (f === 3 && w === WIRE.fixed64) p.timeNs = r.fixed64();
    else if (f === 4 && w === WIRE.fixed64) p.value = r.double();
    else if (f === 6 && w === WIRE.fixed64) p.value = r.sfixed64();
    else r.skip(w);
  }
  return p;
}

/** HistogramDataPoint: 9 attributes, 2 start, 3 time, 4 count, 5 sum, 6 bucket_counts, 7 explicit_bounds, 11 min, 12 max. */
function readHistogramPoint(r: ProtoReader): HistogramPoint {
  const p: HistogramPoint = {
    attrs: {},
    startNs: 0,
    timeNs: 0,
    count: 0,
    sum: null,
    bounds: [],
    counts: [],
    min: null,
    max: null,
  };
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 9 && w === WIRE.bytes) readKeyValue(r.message(), p.attrs);
    else if (f === 2 && w === WIRE.fixed64) p.startNs = r.fixed64();
    else if (f === 3 && w === WIRE.fixed64) p.timeNs = r.fixed64();
    else if (f === 4 && w === WIRE.fixed64) p.count = r.fixed64();
    else if (f === 5 && w === WIRE.fixed64) p.sum = r.double();
    else if (f === 6) r.repeatedFixed64(w, p.counts);
    else if (f === 7) r.repeatedDouble(w, p.bounds);
    else if (f === 11 && w === WIRE.fixed64) p.min = r.double();
    else if (f === 12 && w === WIRE.fixed64) p.max = r.double();
    else r.skip(w);
  }
  return p;
}

/** Buckets: 1 offset (sint32), 2 bucket_counts. */
function readBuckets(r: ProtoReader, p: ExpHistogramPoint): void {
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1 && w === WIRE.varint) p.positiveOffset = r.sint32();
    else if (f === 2) r.repeatedVarint(w, p.positiveCounts);
    else r.skip(w);
  }
}

/** ExponentialHistogramDataPoint: 1 attributes, 2 start, 3 time, 4 count, 5 sum, 6 scale, 7 zero_count, 8 positive, 12 min, 13 max, 14 zero_threshold. */
function readExpPoint(r: ProtoReader): ExpHistogramPoint {
  const p: ExpHistogramPoint = {
    attrs: {},
    startNs: 0,
    timeNs: 0,
    count: 0,
    sum: null,
    scale: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positiveOffset: 0,
    positiveCounts: [],
    min: null,
    max: null,
  };
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1 && w === WIRE.bytes) readKeyValue(r.message(), p.attrs);
    else if (f === 2 && w === WIRE.fixed64) p.startNs = r.fixed64();
    else if (f === 3 && w === WIRE.fixed64) p.timeNs = r.fixed64();
    else if (f === 4 && w === WIRE.fixed64) p.count = r.fixed64();
    else if (f === 5 && w === WIRE.fixed64) p.sum = r.double();
    else if (f === 6 && w === WIRE.varint) p.scale = r.sint32();
    else if (f === 7 && w === WIRE.fixed64) p.zeroCount = r.fixed64();
    else if (f === 8 && w === WIRE.bytes) readBuckets(r.message(), p);
    else if (f === 12 && w === WIRE.fixed64) p.min = r.double();
    else if (f === 13 && w === WIRE.fixed64) p.max = r.double();
    else if (f === 14 && w === WIRE.fixed64) p.zeroThreshold = r.double();
    else r.skip(w);
  }
  return p;
}

/** Gauge, Sum, Histogram and ExponentialHistogram share the layout: 1 data_points, 2 temporality, 3 monotonic. */
function readData<P>(
  r: ProtoReader,
  readPoint: (r: ProtoReader) => P,
): { points: P[]; temporality: Temporality; monotonic: boolean } {
  const out = { points: [] as P[], temporality: 0 as Temporality, monotonic: false };
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expectWire(w, WIRE.bytes, 'data_points');
      out.points.push(readPoint(r.message()));
    } else if (f === 2 && w === WIRE.varint) {
      const v = r.varint();
      out.temporality = v === 1 || v === 2 ? v : 0;
    } else if (f === 3 && w === WIRE.varint) out.monotonic = r.varint() !== 0;
    else r.skip(w);
  }
  return out;
}

/** Counts Summary data points without decoding them (no figure is derived from summaries). */
function countPoints(r: ProtoReader): number {
  let n = 0;
  while (!r.done()) {
    const t = r.tag();
    if (t >>> 3 === 1) n++;
    r.skip(t & 7);
  }
  return n;
}

/** Metric: 1 name, 3 unit, 5 gauge, 7 sum, 9 histogram, 10 exponential_histogram, 11 summary. */
function readMetric(r: ProtoReader): Metric {
  const m: Metric = { name: '', unit: '', data: { kind: 'other', points: 0 } };
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1 && w === WIRE.bytes) m.name = r.string();
    else if (f === 3 && w === WIRE.bytes) m.unit = r.string();
    else if (f >= 5 && f <= 11 && f !== 6 && f !== 8) {
      expectWire(w, WIRE.bytes, `Metric field ${f}`);
      const sub = r.message();
      let data: MetricData;
      if (f === 5) data = { kind: 'gauge', points: readData(sub, readNumberPoint).points };
      else if (f === 7) {
        const d = readData(sub, readNumberPoint);
        data = { kind: 'sum', temporality: d.temporality, monotonic: d.monotonic, points: d.points };
      } else if (f === 9) {
        const d = readData(sub, readHistogramPoint);
        data = { kind: 'histogram', temporality: d.temporality, points: d.points };
      } else if (f === 10) {
        const d = readData(sub, readExpPoint);
        data = { kind: 'exponential', temporality: d.temporality, points: d.points };
      } else data = { kind: 'other', points: countPoints(sub) };
      m.data = data;
    } else r.skip(w);
  }
  return m;
}

/** Reads a ResourceX message: 1 resource, 2 scope X (whose field 2 holds the items). */
function readResourceBlock<T>(r: ProtoReader, readItem: (r: ProtoReader) => T): { resource: Attrs; items: T[] } {
  let resource: Attrs = {};
  const items: T[] = [];
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 1) {
      expectWire(w, WIRE.bytes, 'resource');
      resource = readResource(r.message());
    } else if (f === 2) {
      expectWire(w, WIRE.bytes, 'scope block');
      const scope = r.message();
      while (!scope.done()) {
        const st = scope.tag();
        if (st >>> 3 === 2) {
          expectWire(st & 7, WIRE.bytes, 'scope items');
          items.push(readItem(scope.message()));
        } else scope.skip(st & 7);
      }
    } else r.skip(w);
  }
  return { resource, items };
}

/** Reads a top-level Export*ServiceRequest: field 1 repeated, each a resource block. */
function readRequest<T>(buf: Uint8Array, readItem: (r: ProtoReader) => T): { resource: Attrs; items: T[] }[] {
  const r = new ProtoReader(buf);
  const out: { resource: Attrs; items: T[] }[] = [];
  while (!r.done()) {
    const t = r.tag();
    if (t >>> 3 === 1) {
      expectWire(t & 7, WIRE.bytes, 'resource block');
      out.push(readResourceBlock(r.message(), readItem));
    } else r.skip(t & 7);
  }
  return out;
}

/** Decodes a protobuf ExportMetricsServiceRequest; throws `ProtobufError` on malformed bytes. */
export function decodeMetricsProto(buf: Uint8Array): ResourceMetrics[] {
  return readRequest(buf, readMetric).map((b) => ({ resource: b.resource, metrics: b.items }));
}

/** Status: 2 message, 3 code. */
function readStatusCode(r: ProtoReader): number {
  let code = 0;
  while (!r.done()) {
    const t = r.tag();
    if (t >>> 3 === 3 && (t & 7) === WIRE.varint) code = r.varint();
    else r.skip(t & 7);
  }
  return code;
}

/** Span: 5 name, 6 kind, 7 start, 8 end, 9 attributes, 15 status. */
function readSpan(r: ProtoReader): Span {
  const s: Span = { name: '', kind: 0, startNs: 0, durationNs: 0, statusCode: 0, attrs: {} };
  let start: [number, number] = [0, 0];
  let end: [number, number] = [0, 0];
  // Attributes are decoded only for SERVER spans (no figure reads the others); kind may come after them.
  const attrRanges: number[] = [];
  while (!r.done()) {
    const t = r.tag();
    const f = t >>> 3;
    const w = t & 7;
    if (f === 5 && w === WIRE.bytes) s.name = r.string();
    else if (f === 6 && w === WIRE.varint) s.kind = r.varint();
    else if (f === 7 && w === WIRE.fixed64) start = r.fixed64Parts();
    else if (f === 8 && w === WIRE.fixed64) end = r.fixed64Parts();
    else if (f === 9 && w === WIRE.bytes) attrRanges.push(...r.span());
    else if (f === 15 && w === WIRE.bytes) s.statusCode = readStatusCode(r.message());
    else r.skip(w);
  }
  if (s.kind === SPAN_KIND_SERVER) {
    for (let i = 0; i < attrRanges.length; i += 2)
      readKeyValue(new ProtoReader(r.buf, attrRanges[i], attrRanges[i + 1], r.view), s.attrs);
  }
  s.startNs = start[0] * TWO_32 + start[1];
  // Exact: both halves differenced before they are combined, so no precision is lost at 1.8e18 ns.
  s.durationNs = (end[0] - start[0]) * TWO_32 + (end[1] - start[1]);
  return s;
}

/** Decodes a protobuf ExportTraceServiceRequest; throws `ProtobufError` on malformed bytes. */
export function decodeTracesProto(buf: Uint8Array): ResourceSpans[] {
  return readRequest(buf, readSpan).map((b) => ({ resource: b.resource, spans: b.items }));
}

export { ProtobufError };
