/** Derivation of RED figures from decoded OTLP: percentiles, temporality, routes, caps, precedence, validation, rows, settings. */
import { describe, expect, it } from 'vitest';
import { OtlpAggregator } from '../src/otlp/aggregator.ts';
import type {
  Attrs,
  ExpHistogramPoint,
  HistogramPoint,
  ResourceMetrics,
  ResourceSpans,
  Temporality,
} from '../src/otlp/model.ts';
import { bucketQuantiles, exactQuantiles, explicitBuckets } from '../src/otlp/quantile.ts';
import { normalisePath, routeOf } from '../src/otlp/routes.ts';
import { appCheckName, appSampleRows } from '../src/otlp/rows.ts';
import { parseOtlpSettings } from '../src/otlp/settings.ts';

const T0 = 1_764_140_000_000; // ms
const ns = (ms: number) => ms * 1e6;

function hp(counts: number[], o: Partial<HistogramPoint> = {}): HistogramPoint {
  return {
    attrs: { 'http.route': '/a', 'http.request.method': 'GET', 'http.response.status_code': 200 },
    startNs: ns(T0),
    timeNs: ns(T0 + 10_000),
    count: counts.reduce((a, b) => a + b, 0),
    sum: null,
    bounds: [0.01, 0.02, 0.05],
    counts,
    min: null,
    max: null,
    ...o,
  };
}

function metrics(
  service: string,
  points: (HistogramPoint | ExpHistogramPoint)[],
  temporality: Temporality = 1,
  kind: 'histogram' | 'exponential' = 'histogram',
  unit = 's',
): ResourceMetrics[] {
  return [
    {
      resource: { 'service.name': service },
      metrics: [{ name: 'http.server.request.duration', unit, data: { kind, temporality, points } as never }],
    },
  ];
}

function spans(
  service: string,
  list: { ms: number; attrs?: Attrs; error?: boolean; kind?: number; name?: string }[],
): ResourceSpans[] {
  return [
    {
      resource: { 'service.name': service },
      spans: list.map((s, i) => ({
        name: s.name ?? 'GET /a',
        kind: s.kind ?? 2,
        startNs: ns(T0 + i),
        durationNs: s.ms * 1e6,
        statusCode: s.error ? 2 : 0,
        attrs: s.attrs ?? { 'http.route': '/a', 'http.request.method': 'GET', 'http.response.status_code': 200 },
      })),
    },
  ];
}

function agg(o: Partial<ConstructorParameters<typeof OtlpAggregator>[0]> = {}) {
  let now = T0 + 10_000;
  const a = new OtlpAggregator({
    maxRoutesPerService: 100,
    maxServices: 100,
    startNs: ns(T0 - 1000),
    now: () => now,
    ...o,
  });
  return { a, advance: (ms: number) => (now += ms) };
}

describe('percentiles', () => {
  it('interpolate linearly within buckets, honour point masses, and combine buckets of different bounds', () => {
    expect(bucketQuantiles([{ lo: 10, hi: 20, n: 10 }], [0.5, 0.95, 0.99])).toEqual([15, 19.5, 19.9]);
    expect(
      bucketQuantiles(
        [
          { lo: 0, hi: 10, n: 5 },
          { lo: 10, hi: 30, n: 5 },
        ],
        [0.5, 0.75],
      ),
    ).toEqual([10, 20]);
    expect(
      bucketQuantiles(
        [
          { lo: 7, hi: 7, n: 3 },
          { lo: 10, hi: 20, n: 1 },
        ],
        [0.5, 0.75, 1],
      ),
    ).toEqual([7, 7, 20]);
    // Overlapping buckets (two series with different bounds): densities add up.
    const [m] = bucketQuantiles(
      [
        { lo: 0, hi: 10, n: 10 },
        { lo: 0, hi: 20, n: 10 },
      ],
      [0.5],
    );
    // CDF(x) = x + x/2 for x <= 10, so 10 at x = 6.667.
    expect(m).toBeCloseTo(20 / 3, 9);
    expect(bucketQuantiles([], [0.5])[0]).toBeNaN();
  });

  it('explicit buckets: open first bucket from min or 0, +Inf bucket up to max or the last bound, in ms', () => {
    expect(explicitBuckets(hp([1, 0, 0, 1]), 1000)).toEqual([
      { lo: 0, hi: 10, n: 1 },
      { lo: 50, hi: 50, n: 1 },
    ]);
    expect(explicitBuckets(hp([1, 0, 0, 1], { min: 0.004, max: 0.2 }), 1000)).toEqual([
      { lo: 4, hi: 10, n: 1 },
      { lo: 50, hi: 200, n: 1 },
    ]);
  });

  it('exact percentiles from raw values are nearest-rank', () => {
    expect(exactQuantiles(Float64Array.from([5, 1, 4, 2, 3]), [0.5, 0.95, 0.2])).toEqual([3, 5, 1]);
  });
});

describe('aggregation', () => {
  it("delta histograms: count, errors by 5xx, percentiles from buckets, throughput over the points' window", () => {
    const { a } = agg();
    const r = a.addMetrics(
      metrics('shop', [
        hp([0, 10, 0, 0], { sum: 0.15 }),
        hp([0, 0, 2, 0], {
          sum: 0.07,
          attrs: { 'http.route': '/a', 'http.request.method': 'GET', 'http.response.status_code': 503 },
        }),
      ]),
    );
    expect(r).toEqual({ rejected: 0, message: null });
    const [f] = a.drain();
    expect(f).toMatchObject({
      service: 'shop',
      route: 'GET /a',
      source: 'metrics',
      requests: 12,
      errors: 2,
      windowS: 10,
      throughputRps: 1.2,
    });
    expect(f!.errorRatePct).toBeCloseTo(100 / 6, 9);
    expect(f!.meanMs).toBeCloseTo(220 / 12, 9);
    // 10 in (10, 20] ms and 2 in (20, 50] ms: p50 at rank 6 of 10 in the first.
    expect(f!.p50Ms).toBeCloseTo(16, 9);
    expect(f!.p95Ms).toBeCloseTo(20 + (30 * (11.4 - 10)) / 2, 9);
    expect(a.drain()).toEqual([]); // a new interval starts empty
  });

  it('cumulative histograms: a series older than the receiver sets a baseline, later points are differenced, restarts count whole', () => {
    const { a, advance } = agg();
    const old = ns(T0 - 60_000); // started before the receiver
    a.addMetrics(metrics('c', [hp([0, 5, 0, 0], { startNs: old })], 2));
    expect(a.drain()).toEqual([]);
    advance(10_000);
    a.addMetrics(metrics('c', [hp([0, 5, 3, 0], { startNs: old, timeNs: ns(T0 + 20_000) })], 2));
    const [f] = a.drain();
    expect(f).toMatchObject({ requests: 3, windowS: 10 });
    expect(f!.p50Ms).toBeCloseTo(20 + (30 * 1.5) / 3, 9);
    // The process restarted after the receiver: its new series counts whole.
    advance(10_000);
    a.addMetrics(metrics('c', [hp([0, 0, 0, 4], { startNs: ns(T0 + 25_000), timeNs: ns(T0 + 30_000), max: 0.08 })], 2));
    expect(a.drain()[0]).toMatchObject({ requests: 4, p50Ms: 65 });
    // Same start but a lower count is a reset too (counts whole, start is after the receiver's).
    advance(10_000);
    a.addMetrics(metrics('c', [hp([0, 1, 0, 0], { startNs: ns(T0 + 25_000), timeNs: ns(T0 + 40_000) })], 2));
    expect(a.drain()[0]).toMatchObject({ requests: 1 });
  });

  it('exponential histograms, delta and cumulative with a scale that drops between points', () => {
    const exp = (o: Partial<ExpHistogramPoint>): ExpHistogramPoint => ({
      attrs: { 'http.route': '/e' },
      startNs: ns(T0),
      timeNs: ns(T0 + 10_000),
      count: 0,
      sum: null,
      scale: 0,
      zeroCount: 0,
      zeroThreshold: 0,
      positiveOffset: 0,
      positiveCounts: [],
      min: null,
      max: null,
      ...o,
    });
    const { a, advance } = agg();
    // scale 0: bucket 3 is (8, 16] ms.
    a.addMetrics(metrics('e', [exp({ count: 4, positiveOffset: 3, positiveCounts: [4] })], 1, 'exponential', 'ms'));
    expect(a.drain()[0]).toMatchObject({ route: '/e', requests: 4, p50Ms: 12 });
    // Cumulative: scale 1 (base √2), then scale 0 after the SDK rescaled; indices 6,7 at scale 1 are index 3 at scale 0.
    a.addMetrics(
      metrics('e2', [exp({ count: 2, scale: 1, positiveOffset: 6, positiveCounts: [1, 1] })], 2, 'exponential', 'ms'),
    );
    a.drain();
    advance(10_000);
    a.addMetrics(
      metrics(
        'e2',
        [exp({ count: 6, scale: 0, positiveOffset: 3, positiveCounts: [2, 4], timeNs: ns(T0 + 20_000) })],
        2,
        'exponential',
        'ms',
      ),
    );
    const [f] = a.drain();
    // Delta: index 4 ((16, 32] ms) gained 4, index 3 gained nothing.
    expect(f).toMatchObject({ requests: 4, p50Ms: 24 });
  });

  it('spans: exact percentiles, error by status ERROR or 5xx, non-SERVER spans ignored, negative durations rejected', () => {
    const { a } = agg();
    const r = a.addSpans(
      spans('api', [
        { ms: 10 },
        { ms: 20 },
        { ms: 30, error: true },
        { ms: 40, attrs: { 'http.route': '/a', 'http.request.method': 'GET', 'http.response.status_code': 502 } },
        { ms: 99, kind: 3 },
        { ms: -1 },
      ]),
    );
    expect(r.rejected).toBe(1);
    expect(r.message).toMatch(/ends before it starts/);
    const [f] = a.drain();
    expect(f).toMatchObject({
      source: 'traces',
      requests: 4,
      errors: 2,
      errorRatePct: 50,
      p50Ms: 20,
      p95Ms: 40,
      meanMs: 25,
    });
  });

  it('past the span cap a uniform sample is kept: counts stay exact, percentiles close', () => {
    const { a } = agg({ maxSpansPerRoute: 500 });
    a.addSpans(
      spans(
        'many',
        Array.from({ length: 5000 }, (_, i) => ({ ms: (i % 1000) + 1 })),
      ),
    );
    const [f] = a.drain();
    expect(f!.requests).toBe(5000);
    expect(f!.meanMs).toBeCloseTo(500.5, 9);
    expect(f!.p50Ms!).toBeGreaterThan(400);
    expect(f!.p50Ms!).toBeLessThan(600);
  });

  it('metrics win over spans of the same service; spans of other services still count', () => {
    const { a } = agg();
    a.addSpans(spans('both', [{ ms: 5 }, { ms: 6 }])); // before the first metrics: dropped at drain
    a.addMetrics(metrics('both', [hp([0, 3, 0, 0])]));
    a.addSpans(spans('both', [{ ms: 7 }]));
    a.addSpans(spans('tracesonly', [{ ms: 8 }]));
    const out = a.drain();
    expect(out.map((f) => [f.service, f.source, f.requests])).toEqual([
      ['both', 'metrics', 3],
      ['tracesonly', 'traces', 1],
    ]);
  });

  it('caps routes per service and services, folding the rest into "other" for good', () => {
    const { a } = agg({ maxRoutesPerService: 2, maxServices: 2 });
    const routes = ['/r1', '/r2', '/r3', '/r4', '/r1'];
    a.addSpans(
      spans(
        's1',
        routes.map((r) => ({ ms: 1, attrs: { 'http.route': r } })),
      ),
    );
    a.addSpans(spans('s2', [{ ms: 1 }]));
    a.addSpans(spans('s3', [{ ms: 1 }]));
    a.addSpans(spans('s4', [{ ms: 1 }]));
    const out = Object.fromEntries(a.drain().map((f) => [`${f.service} ${f.route}`, f.requests]));
    expect(out).toEqual({ 's1 /r1': 2, 's1 /r2': 1, 's1 other': 2, 's2 GET /a': 1, 'other GET /a': 2 });
    a.addSpans(spans('s1', [{ ms: 1, attrs: { 'http.route': '/r3' } }]));
    expect(a.drain()[0]!.route).toBe('other');
    expect(a.stats).toMatchObject({ services: 3, routes: 4 });
  });

  it('rejects unusable points alone and says why; other points of the request still count', () => {
    const { a } = agg();
    const r = a.addMetrics(
      metrics('v', [
        hp([1, 1]),
        hp([0, 2, 0, 0], { count: 5 }),
        hp([0, 1, 0, 0], { bounds: [0.01, 0.005, 0.05] }),
        hp([0, 4, 0, 0]),
      ]),
    );
    expect(r.rejected).toBe(3);
    expect(r.message).toMatch(/bucket_counts has 2 entries for 3 explicit_bounds \(expected 4\)/);
    expect(a.drain()[0]!.requests).toBe(4);
    expect(a.addMetrics(metrics('v', [hp([0, 1, 0, 0])], 0)).message).toMatch(/temporality unspecified/);
    expect(a.addMetrics(metrics('v', [hp([0, 1, 0, 0])], 1, 'histogram', 'By')).message).toMatch(
      /unit "By" is not a time unit/,
    );
  });
});

describe('routes', () => {
  it('prefers http.route, else a normalised url.path or http.target, else the span name; method first', () => {
    expect(routeOf({ 'http.route': '/users/:id', 'url.path': '/users/7', 'http.request.method': 'get' })).toBe(
      'GET /users/:id',
    );
    expect(
      routeOf({ 'url.path': '/users/123/orders/9f8e7d6c-1a2b-4c3d-8e9f-0a1b2c3d4e5f', 'http.method': 'POST' }),
    ).toBe('POST /users/{id}/orders/{id}');
    expect(routeOf({ 'http.target': '/files/a1b2c3d4e5f6a7b8?x=1' })).toBe('/files/{id}');
    expect(routeOf({}, 'GET /items/42')).toBe('/items/{id}');
    expect(routeOf({})).toBe('*');
    expect(normalisePath('https://example.test/v2/things/0042?q#f')).toBe('/v2/things/{id}');
    expect(normalisePath('/docs/getting-started')).toBe('/docs/getting-started');
  });
});

describe('rows', () => {
  it('maps figures to app_samples rows with a unique check name of at most 100 characters and ordered percentiles', () => {
    const long = `/${'x'.repeat(150)}`;
    const a1 = appCheckName('svc', `${long}/a`);
    const a2 = appCheckName('svc', `${long}/b`);
    expect(a1).toHaveLength(100);
    expect(a1).not.toBe(a2);
    expect(appCheckName('svc', 'GET /a')).toBe('svc GET /a');
    const [row] = appSampleRows('h', '2026-01-01T00:00:00.000Z', [
      {
        service: 'svc',
        route: 'GET /a',
        source: 'traces',
        requests: 20,
        errors: 20,
        errorRatePct: 100,
        throughputRps: 2,
        meanMs: 3,
        p50Ms: 3,
        p95Ms: 2.9999,
        p99Ms: 4,
        windowS: 10,
      },
    ]);
    expect(row!.row).toMatchObject({
      kind: 'app',
      status: 'down',
      latency_p50_ms: 3,
      latency_p95_ms: 3,
      latency_p99_ms: 4,
      request_count: 20,
      error_rate: 100,
      service: 'svc',
      route: 'GET /a',
    });
  });
});

describe('settings', () => {
  it('is off by default on 127.0.0.1:4318; the variable wins over the config file; bad values fail clearly', () => {
    expect(parseOtlpSettings({}, undefined)).toMatchObject({
      enabled: false,
      host: '127.0.0.1',
      port: 4318,
      maxRoutesPerService: 100,
    });
    expect(parseOtlpSettings({}, true).enabled).toBe(true);
    expect(parseOtlpSettings({ VIBE_AGENT_OTLP: '0' }, { enabled: true }).enabled).toBe(false);
    expect(
      parseOtlpSettings({ VIBE_AGENT_OTLP: '1', VIBE_AGENT_OTLP_ADDRESS: '[::1]:14318' }, { address: '0.0.0.0:1' }),
    ).toMatchObject({ enabled: true, host: '::1', port: 14318 });
    expect(() => parseOtlpSettings({ VIBE_AGENT_OTLP_ADDRESS: 'localhost' }, undefined)).toThrow(
      /VIBE_AGENT_OTLP_ADDRESS: expected host:port/,
    );
    expect(() => parseOtlpSettings({ VIBE_AGENT_OTLP: 'maybe' }, undefined)).toThrow(/Invalid VIBE_AGENT_OTLP/);
    expect(() => parseOtlpSettings({ VIBE_AGENT_OTLP_MAX_ROUTES: '0' }, undefined)).toThrow(
      /VIBE_AGENT_OTLP_MAX_ROUTES/,
    );
  });
});
