/**
 * The OpenTelemetry SDK's own OTLP/HTTP exporters (JSON and protobuf, delta and cumulative, gzip)
 * send real traffic with known latencies and failures from an instrumented app; the derived figures
 * must match what the app exported: request count and error rate exactly, percentiles exactly from
 * spans and, from histograms, inside the bucket that holds the true percentile and within 20 % of it.
 * One run goes end to end through the agent's real send path into the stack's Postgres.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startAgent } from '../src/agent.ts';
import type { AgentSettings } from '../src/config/settings.ts';
import { silentLogger } from '../src/log.ts';
import type { RouteFigures } from '../src/otlp/aggregator.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../src/otlp/receiver.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { drive, nearestRank, startOtelApp, type OtelAppOptions } from './otlp-app.ts';
import { provisionHost, sql } from '../../testkit/src/provision.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const env = inject('stack');
const HOST = '00000000-0000-4000-8000-000000000000';
/** The semantic-convention bucket bounds the app uses, in ms. */
const BOUNDS_MS = [5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

const receivers: OtlpReceiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});
async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver(
    { enabled: true, host: '127.0.0.1', port: 0, maxBodyBytes: 4 << 20, maxRoutesPerService: 100, maxServices: 100 },
    HOST,
    silentLogger,
  );
  receivers.push(r);
  return r;
}

/** Traffic with known shape: /users/<i> with delays of 2–61 ms, every 10th a 500, every 25th a 404 (not an error). */
function traffic(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    const status = i % 10 === 0 ? 500 : i % 25 === 1 ? 404 : 200;
    return `/users/${i}?delay=${2 + ((i * 7) % 60)}&status=${status}`;
  });
}

function allDurations(rec: Record<string, number[]>): { all: number[]; errors: number } {
  const all = Object.values(rec).flat();
  const errors = Object.entries(rec)
    .filter(([k]) => k.endsWith(' 500'))
    .reduce((a, [, v]) => a + v.length, 0);
  return { all, errors };
}

function bucketOf(ms: number): [number, number] {
  const i = BOUNDS_MS.findIndex((b) => ms <= b);
  return i < 0 ? [BOUNDS_MS.at(-1)!, Infinity] : [i === 0 ? 0 : BOUNDS_MS[i - 1]!, BOUNDS_MS[i]!];
}

function expectExactSpans(f: RouteFigures, durations: number[]): void {
  for (const [q, got] of [
    [0.5, f.p50Ms],
    [0.95, f.p95Ms],
    [0.99, f.p99Ms],
  ] as const) {
    expect(got!).toBeCloseTo(nearestRank(durations, q), 6);
  }
  expect(f.meanMs!).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / durations.length, 6);
}

function expectHistogramPercentiles(f: RouteFigures, durations: number[]): void {
  for (const [q, got] of [
    [0.5, f.p50Ms],
    [0.95, f.p95Ms],
    [0.99, f.p99Ms],
  ] as const) {
    const truth = nearestRank(durations, q);
    const [lo, hi] = bucketOf(truth);
    expect(got!, `p${q * 100} ${got} vs ${truth}`).toBeGreaterThanOrEqual(lo);
    // A histogram knows a quantile only to its bucket: the estimate must lie in the bucket that holds the true
    // value. (A 20 % bound on top failed on a loaded machine: p99 61 ms was estimated 73.6 ms, inside its
    // 50–75 ms bucket, as interpolation may.)
    expect(got!, `p${q * 100} ${got} vs ${truth}`).toBeLessThanOrEqual(hi);
  }
  // The sum is exact in a histogram, so the mean is too.
  if (f.meanMs !== null) expect(f.meanMs).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / durations.length, 6);
}

async function run(r: OtlpReceiver, o: Omit<OtelAppOptions, 'endpoint'>, paths: string[]) {
  const app = await startOtelApp({ ...o, endpoint: `http://127.0.0.1:${r.port}` });
  try {
    await drive(app.url, paths);
    await app.flush();
    return { app, recorded: await app.recorded() };
  } finally {
    await app.stop();
  }
}

describe('OTLP from the OpenTelemetry SDK exporters', () => {
  for (const protocol of ['json', 'protobuf'] as const) {
    it(`${protocol} traces only: count, error rate and percentiles exactly from SERVER spans`, async () => {
      const r = await receiver();
      const service = `traces-${protocol}`;
      const { recorded } = await run(
        r,
        { protocol, service, signals: ['traces'], gzip: protocol === 'protobuf' },
        traffic(200),
      );
      const figures = r.aggregator.drain().filter((f) => f.service === service);
      expect(figures).toHaveLength(1);
      const f = figures[0]!;
      const { all, errors } = allDurations(recorded);
      expect(f).toMatchObject({
        route: 'GET /users/:id',
        source: 'traces',
        requests: 200,
        errors,
        errorRatePct: (errors / 200) * 100,
      });
      expect(errors).toBe(20);
      expectExactSpans(f, all);
    });
  }

  it('json, delta histograms and spans together: metrics win, nothing is counted twice', async () => {
    const r = await receiver();
    const { recorded } = await run(r, { protocol: 'json', service: 'both-json', temporality: 'delta' }, traffic(200));
    const figures = r.aggregator.drain().filter((f) => f.service === 'both-json');
    expect(figures).toHaveLength(1);
    const { all, errors } = allDurations(recorded);
    expect(figures[0]).toMatchObject({
      route: 'GET /users/:id',
      source: 'metrics',
      requests: 200,
      errors,
      errorRatePct: 10,
    });
    expectHistogramPercentiles(figures[0]!, all);
    expect(figures[0]!.throughputRps).toBeGreaterThan(0);
  });

  it('protobuf with gzip, cumulative histograms: each interval gets only its own requests', async () => {
    const r = await receiver();
    const app = await startOtelApp({
      endpoint: `http://127.0.0.1:${r.port}`,
      protocol: 'protobuf',
      service: 'cumulative-proto',
      temporality: 'cumulative',
      signals: ['metrics'],
      gzip: true,
    });
    try {
      await drive(app.url, traffic(150));
      await app.flush();
      const firstRec = await app.recorded();
      const first = allDurations(firstRec);
      const [f1] = r.aggregator.drain().filter((f) => f.service === 'cumulative-proto');
      expect(f1).toMatchObject({ requests: 150, errors: first.errors, source: 'metrics' });
      expectHistogramPercentiles(f1!, first.all);

      await drive(app.url, traffic(100, 1000));
      await app.flush();
      // The app's lists only grow: the second interval's durations are what follows the first's.
      const secondRec = Object.fromEntries(
        Object.entries(await app.recorded()).map(([k, v]) => [k, v.slice(firstRec[k]?.length ?? 0)]),
      );
      const second = allDurations(secondRec);
      const [f2] = r.aggregator.drain().filter((f) => f.service === 'cumulative-proto');
      expect(second.all).toHaveLength(100);
      expect(f2).toMatchObject({ requests: 100, errors: second.errors, errorRatePct: second.errors });
      expectHistogramPercentiles(f2!, second.all);
      // Nothing new since: an export with unchanged cumulative counts yields no row.
      await app.flush();
      expect(r.aggregator.drain().filter((f) => f.service === 'cumulative-proto')).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('end to end: the agent derives rows and sends them to app_samples; 400 and 413 payloads insert nothing', async () => {
    const host = await provisionHost(env, 'otlp');
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-otlp-e2e-'));
    const port = await freePort();
    const maxBodyBytes = 64 * 1024;
    const settings: AgentSettings = {
      configFile: path.join(dataDir, 'config.json'),
      url: env.SUPABASE_URL,
      key: env.SUPABASE_PUBLISHABLE_KEY,
      hostId: host.hostId,
      teamId: null,
      hostName: null,
      email: host.email,
      password: host.password,
      dataDir,
      sampleIntervalS: 60,
      sendIntervalS: 1,
      dbIntervalS: 60,
      retryMaxS: 2,
      queueMaxBytes: 1 << 20,
      procRoot: '/proc',
      sysRoot: '/sys',
      rootfs: '/',
      databases: [],
      httpChecks: [],
      logLevel: 'info',
      containers: false,
      containerSocket: null,
      processesTop: 0,
      otlp: { enabled: true, host: '127.0.0.1', port, maxBodyBytes, maxRoutesPerService: 100, maxServices: 100 },
    };
    const agent = await startAgent(settings, silentLogger);
    const base = `http://127.0.0.1:${port}`;
    try {
      // Refused first: a body whose first resource is fine but whose second is not, and one over the size cap.
      const good = (service: string) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                name: 'GET /x',
                kind: 2,
                startTimeUnixNano: String(Date.now() * 1e6),
                endTimeUnixNano: String(Date.now() * 1e6 + 5e6),
                attributes: [],
              },
            ],
          },
        ],
      });
      const bad = await fetch(`${base}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [good('refused-400'), { scopeSpans: 'nope' }] }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(
        /resourceSpans\[1\]\.scopeSpans: expected an array/,
      );
      const huge = JSON.stringify({ resourceSpans: Array.from({ length: 400 }, () => good('refused-413')) });
      expect(huge.length).toBeGreaterThan(maxBodyBytes);
      const big = await fetch(`${base}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: huge,
      });
      expect(big.status).toBe(413);

      const { recorded } = await run(
        { port } as OtlpReceiver,
        { protocol: 'protobuf', service: 'e2e-shop', signals: ['metrics'], gzip: true },
        traffic(120),
      );
      const { all, errors } = allDurations(recorded);
      let rows: Record<string, any>[] = [];
      await waitFor(
        async () => {
          rows = await sql(env, "select * from app_samples where host_id = $1 and kind = 'app' order by ts", [
            host.hostId,
          ]);
          return rows.length > 0;
        },
        { message: 'the app_samples row of e2e-shop' },
      );
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({
        check_name: 'e2e-shop GET /users/:id',
        service: 'e2e-shop',
        route: 'GET /users/:id',
        request_count: '120',
        status: 'degraded',
        status_code: null,
      });
      expect(row.error_rate).toBeCloseTo((errors / 120) * 100, 4);
      expect(row.detail).toMatchObject({ source: 'metrics', errors });
      expectHistogramPercentiles(
        {
          p50Ms: row.latency_p50_ms,
          p95Ms: row.latency_p95_ms,
          p99Ms: row.latency_p99_ms,
          meanMs: null,
        } as RouteFigures,
        all,
      );
      expect(row.latency_ms).toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 2);
      expect(row.throughput_rps).toBeGreaterThan(0);
    } finally {
      await agent.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
    const refused = await sql(env, "select 1 from app_samples where host_id = $1 and service like 'refused-%'", [
      host.hostId,
    ]);
    expect(refused).toHaveLength(0);
    const all = await sql<{ n: number }>(
      env,
      "select count(*)::int n from app_samples where host_id = $1 and kind = 'app'",
      [host.hostId],
    );
    expect(all[0]!.n).toBe(1);
  });
});
