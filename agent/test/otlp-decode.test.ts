/**
 * The decoders against the OpenTelemetry JS serializers (@opentelemetry/otlp-transformer, what the
 * OTLP exporters send): the same SDK data serialized as protobuf and as JSON decodes to the same
 * model, with the values that were recorded; malformed bytes and shapes fail with a clear message.
 */
import {
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeMetricsJson, decodeTracesJson, OtlpJsonError } from '../src/otlp/decode-json.ts';
import { decodeMetricsProto, decodeTracesProto } from '../src/otlp/decode-proto.ts';
import type { HistogramPoint, ExpHistogramPoint, Metric } from '../src/otlp/model.ts';
import { ProtobufError, ProtoReader, ProtoWriter } from '../src/otlp/protobuf.ts';

const resource = resourceFromAttributes({
  'service.name': 'decode-test',
  'service.instance.id': 'i-1',
  'deployment.replicas': 3,
  'feature.on': true,
});

async function collectMetrics(temporality: AggregationTemporality) {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [
      {
        instrumentName: 'work.exp',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } },
      },
    ],
  });
  const meter = provider.getMeter('decode-test');
  const h = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.01, 0.1, 1] },
  });
  for (const v of [0.005, 0.02, 0.05, 0.3, 2])
    h.record(v, { 'http.route': '/a', 'http.response.status_code': 200, 'http.request.method': 'GET' });
  h.record(0.5, { 'http.route': '/a', 'http.response.status_code': 503, 'http.request.method': 'GET' });
  const e = meter.createHistogram('work.exp', { unit: 'ms' });
  for (const v of [1, 2, 4, 8, 1000]) e.record(v, { shard: -7 });
  meter.createCounter('jobs.done').add(42, { ok: true });
  meter.createGauge('queue.depth').record(2.5, { q: 'main' });
  await reader.forceFlush();
  const [rm] = exporter.getMetrics();
  await provider.shutdown();
  return rm!;
}

function byName(metrics: Metric[], name: string): Metric {
  const m = metrics.find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  return m;
}

describe('OTLP decoders against the SDK serializers', () => {
  for (const temporality of [AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE]) {
    it(`metrics (${temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative'}): protobuf and JSON decode alike, with the recorded values`, async () => {
      const rm = await collectMetrics(temporality);
      const proto = decodeMetricsProto(ProtobufMetricsSerializer.serializeRequest(rm)!);
      const json = decodeMetricsJson(JSON.parse(new TextDecoder().decode(JsonMetricsSerializer.serializeRequest(rm)!)));
      // Timestamps: JSON carries exact decimal strings, protobuf fixed64; as numbers both round the same way.
      expect(proto).toEqual(json);
      expect(proto).toHaveLength(1);
      expect(proto[0]!.resource).toMatchObject({
        'service.name': 'decode-test',
        'deployment.replicas': 3,
        'feature.on': true,
      });
      const metrics = proto[0]!.metrics;

      const hist = byName(metrics, 'http.server.request.duration');
      expect(hist.unit).toBe('s');
      expect(hist.data.kind).toBe('histogram');
      if (hist.data.kind !== 'histogram') return;
      expect(hist.data.temporality).toBe(temporality === AggregationTemporality.DELTA ? 1 : 2);
      const ok = hist.data.points.find((p) => p.attrs['http.response.status_code'] === 200) as HistogramPoint;
      expect(ok).toMatchObject({ count: 5, bounds: [0.01, 0.1, 1], counts: [1, 2, 1, 1], min: 0.005, max: 2 });
      expect(ok.sum).toBeCloseTo(2.375, 12);
      expect(ok.attrs).toEqual({ 'http.route': '/a', 'http.response.status_code': 200, 'http.request.method': 'GET' });
      expect(ok.timeNs).toBeGreaterThanOrEqual(ok.startNs); // equal when collected within the same millisecond
      expect(Math.abs(ok.timeNs / 1e6 - Date.now())).toBeLessThan(60_000);

      const exp = byName(metrics, 'work.exp');
      expect(exp.data.kind).toBe('exponential');
      if (exp.data.kind !== 'exponential') return;
      const ep = exp.data.points[0] as ExpHistogramPoint;
      expect(ep).toMatchObject({ count: 5, sum: 1015, min: 1, max: 1000, zeroCount: 0, attrs: { shard: -7 } });
      expect(ep.positiveCounts.reduce((a, b) => a + b, 0)).toBe(5);
      // Every recorded value lies in a counted bucket (base^i, base^(i+1)].
      const base = 2 ** (2 ** -ep.scale);
      for (const v of [1, 2, 4, 8, 1000]) {
        const covered = ep.positiveCounts.some(
          (c, k) =>
            c > 0 &&
            base ** (ep.positiveOffset + k) <= v * (1 + 1e-9) &&
            v <= base ** (ep.positiveOffset + k + 1) * (1 + 1e-9),
        );
        expect(covered, `value ${v}`).toBe(true);
      }

      const sum = byName(metrics, 'jobs.done');
      expect(sum.data).toMatchObject({ kind: 'sum', monotonic: true, points: [{ value: 42, attrs: { ok: true } }] });
      const gauge = byName(metrics, 'queue.depth');
      expect(gauge.data).toMatchObject({ kind: 'gauge', points: [{ value: 2.5, attrs: { q: 'main' } }] });
    });
  }

  it('spans: kind, status, attributes and an exact duration from both encodings', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('decode-test');
    const start: [number, number] = [1_764_140_000, 123_456_789];
    const s = tracer.startSpan('GET /users/:id', {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: { 'http.route': '/users/:id', 'http.response.status_code': 502 },
    });
    s.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream' });
    s.end([1_764_140_000, 223_456_790]);
    const c = tracer.startSpan('SELECT', { kind: SpanKind.CLIENT, startTime: start });
    c.end([1_764_140_001, 0]);
    const spans = exporter.getFinishedSpans();
    const proto = decodeTracesProto(ProtobufTraceSerializer.serializeRequest(spans)!);
    const json = decodeTracesJson(JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!)));
    expect(proto).toEqual(json);
    const [server, client] = proto[0]!.spans;
    expect(server).toMatchObject({
      name: 'GET /users/:id',
      kind: 2,
      statusCode: 2,
      durationNs: 100_000_001,
      attrs: { 'http.route': '/users/:id', 'http.response.status_code': 502 },
    });
    expect(client).toMatchObject({ kind: 3, statusCode: 0, durationNs: 876_543_211 });
    await provider.shutdown();
  });
});

describe('malformed payloads', () => {
  it('protobuf: truncation, bad wire types, overlong varints and lengths past the end all throw ProtobufError', async () => {
    const rm = await collectMetrics(AggregationTemporality.DELTA);
    const good = ProtobufMetricsSerializer.serializeRequest(rm)!;
    for (const cut of [1, 7, Math.floor(good.length / 2), good.length - 1]) {
      expect(() => decodeMetricsProto(good.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtobufError);
    }
    expect(() => decodeMetricsProto(Uint8Array.of(0x0b))).toThrow(/wire type 3/); // field 1, group start
    expect(() => decodeMetricsProto(Uint8Array.of(0x0a, 0x05, 0x01))).toThrow(/Truncated field/);
    expect(() =>
      new ProtoReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).varint(),
    ).toThrow(/longer than 10 bytes/);
    expect(() => new ProtoReader(Uint8Array.of(1, 2, 3)).fixed64()).toThrow(/Truncated field: 8 bytes needed/);
    // resource_metrics with the wrong wire type (varint instead of a message)
    expect(() => decodeMetricsProto(Uint8Array.of(0x08, 0x01))).toThrow(/resource block has wire type 0, expected 2/);
    // JSON sent as protobuf is refused rather than misread
    expect(() => decodeMetricsProto(new TextEncoder().encode('{"resourceMetrics":[]}'))).toThrow(ProtobufError);
  });

  it('protobuf: unknown fields are skipped, packed and unpacked repeated fields both read, empty request is empty', () => {
    expect(decodeMetricsProto(new Uint8Array(0))).toEqual([]);
    // HistogramDataPoint with count 2, bucket_counts unpacked (two fixed64 tags), explicit_bounds packed, an unknown field 99.
    const f64 = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, n, true);
      return b;
    };
    const u64 = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setUint32(0, n, true);
      return b;
    };
    const point = Uint8Array.from([
      0x21,
      ...u64(2), // count (field 4, fixed64)
      0x31,
      ...u64(1),
      0x31,
      ...u64(1), // bucket_counts unpacked (field 6, wire 1) x2
      0x3a,
      8,
      ...f64(0.25), // explicit_bounds packed (field 7)
      0x98,
      0x06,
      0x05, // field 99, varint 5: unknown
    ]);
    const histogram = new ProtoWriter().bytes(1, point).uint(2, 1).finish();
    const metric = new ProtoWriter().string(1, 'http.server.request.duration').bytes(9, histogram).finish();
    const scope = new ProtoWriter().bytes(2, metric).finish();
    const rm = new ProtoWriter().bytes(2, scope).finish();
    const req = new ProtoWriter().bytes(1, rm).finish();
    const [out] = decodeMetricsProto(req);
    expect(out!.metrics[0]!.data).toMatchObject({
      kind: 'histogram',
      temporality: 1,
      points: [{ count: 2, counts: [1, 1], bounds: [0.25] }],
    });
  });

  it('reader basics: zigzag, negative int64, and fixed64 halves', () => {
    const r = new ProtoReader(
      Uint8Array.of(
        0x03,
        0x04,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0x01,
        0xf9,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0x01,
        0x80,
        0x80,
        0x80,
        0x80,
        0x10,
        0x96,
        0x01,
      ),
    );
    expect(r.sint32()).toBe(-2);
    expect(r.sint32()).toBe(2);
    expect(r.int64()).toBe(-1);
    expect(r.int64()).toBe(-7);
    expect(r.int64()).toBe(2 ** 32);
    expect(r.int64()).toBe(150);
    expect(r.done()).toBe(true);
  });

  it('JSON: wrong types fail with the path of the fault; unknown keys are ignored; 64-bit ints as strings or numbers', () => {
    expect(() => decodeMetricsJson([])).toThrow(/request body: expected an object, got an array/);
    expect(() => decodeMetricsJson({ resourceMetrics: {} })).toThrow(/resourceMetrics: expected an array, got object/);
    expect(() =>
      decodeMetricsJson({
        resourceMetrics: [
          { scopeMetrics: [{ metrics: [{ name: 'x', histogram: { dataPoints: [{ count: 'many' }] } }] }] },
        ],
      }),
    ).toThrow(
      /resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.histogram\.dataPoints\[0\]\.count: expected a number or a decimal string, got string/,
    );
    expect(() => decodeTracesJson({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 5 }] }] }] })).toThrow(
      OtlpJsonError,
    );
    const out = decodeTracesJson({
      futureField: 1,
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }], whatever: [] },
          scopeSpans: [
            {
              spans: [
                {
                  name: 'a',
                  kind: 2,
                  startTimeUnixNano: '1764140000000000001',
                  endTimeUnixNano: 1764140000000000000 + 5e6,
                  attributes: [
                    { key: 'n', value: { intValue: '-12' } },
                    { key: 'arr', value: { arrayValue: { values: [] } } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(out[0]!.resource).toEqual({ 'service.name': 's' });
    expect(out[0]!.spans[0]).toMatchObject({ kind: 2, attrs: { n: -12 } });
    expect(out[0]!.spans[0]!.attrs).not.toHaveProperty('arr');
    expect(decodeMetricsJson({})).toEqual([]);
  });
});
