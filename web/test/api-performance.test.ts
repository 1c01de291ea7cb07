/** GET /api/monitoring/performance against the built app and the real stack: parameter rules, shapes, ranges, downsampling, caching. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { insertSamples, newHost, newTeam, newUser, sample, type SampleRow, type TestUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;
let user: TestUser;
let teamId: string;
let dense: string; // 2,400 samples every 4 s: more raw points than one response may hold
let hourly: string; // one sample a minute over the last 90 minutes
const now = Date.now();
const spikeAt = new Date(now - 80 * 60_000);
const lowAt = new Date(now - 40 * 60_000);

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(web.url + path, { headers: { authorization: `Bearer ${user.token}`, ...headers } });
const errorOf = async (path: string) => {
  const res = await get(path);
  return { status: res.status, body: await res.json() };
};

beforeAll(async () => {
  [web, user] = await Promise.all([startWeb(env), newUser(env, 'perf')]);
  teamId = await newTeam(user, 'Perf team');
  dense = await newHost(user, teamId, 'Dense host', 'dense');
  hourly = await newHost(user, teamId, 'Hourly host', 'hourly');
  const rows: SampleRow[] = [];
  const start = now - 9_600_000; // 2 h 40 min ago
  for (let i = 0; i < 2400; i++) {
    const at = new Date(start + i * 4000);
    rows.push(sample(dense, at, { cpu_total: 30 + (i % 7), net_rx_bps: 2000 + (i % 5) }));
  }
  // One spike and one dip that downsampling must keep.
  const nearest = (d: Date) =>
    rows.reduce((best, r) => (Math.abs(Date.parse(r.ts) - +d) < Math.abs(Date.parse(best.ts) - +d) ? r : best));
  Object.assign(nearest(spikeAt), { cpu_total: 99.5, net_rx_bps: 987654 });
  Object.assign(nearest(lowAt), { cpu_total: 0.5 });
  for (let m = 90; m >= 1; m--)
    rows.push(sample(hourly, new Date(now - m * 60_000), { cpu_total: m, mem_used: 4 * 1024 ** 3 }));
  await insertSamples(env, rows);
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

describe('parameter rules', () => {
  it('requires serverId', async () => {
    expect(await errorOf('/api/monitoring/performance')).toEqual({
      status: 400,
      body: { error: { code: 'missing_parameter', message: expect.stringContaining('serverId is required') } },
    });
  });

  it('rejects times that are not ISO 8601, times without a zone, impossible dates and reversed or huge ranges', async () => {
    const bad = await errorOf('/api/monitoring/performance?serverId=dense&from=yesterday');
    expect(bad).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_parameter', message: expect.stringMatching(/^from must be an ISO 8601 time/) } },
    });
    const zoneless = await errorOf('/api/monitoring/performance?serverId=dense&to=2026-01-01T10:00:00');
    expect(zoneless.body.error.message).toMatch(/add Z or an offset/);
    expect(
      (await errorOf('/api/monitoring/performance?serverId=dense&from=2026-02-30T00:00:00Z')).body.error.message,
    ).toMatch(/not a real calendar time/);
    const reversed = await errorOf(
      '/api/monitoring/performance?serverId=dense&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(reversed).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_range', message: expect.stringMatching(/from must be before to/) } },
    });
    const huge = await errorOf(
      '/api/monitoring/performance?serverId=dense&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
    );
    expect(huge).toMatchObject({ status: 400, body: { error: { code: 'invalid_range' } } });
  });

  it('accepts only cpu, memory, disk or network as metric', async () => {
    const res = await errorOf('/api/monitoring/performance?serverId=dense&metric=load');
    expect(res).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_parameter', message: expect.stringContaining('cpu, memory, disk, network') } },
    });
  });

  it('answers 404 for an unknown server and 401 before anything else without credentials', async () => {
    expect((await errorOf('/api/monitoring/performance?serverId=nope')).status).toBe(404);
    const anonymous = await fetch(`${web.url}/api/monitoring/performance`);
    expect(anonymous.status).toBe(401);
  });
});

describe('series', () => {
  it('defaults to the last hour with every field per timestamp, in time order', async () => {
    const res = await get('/api/monitoring/performance?serverId=hourly');
    expect(res.status).toBe(200);
    const { metrics } = await res.json();
    // Samples 60..1 minutes ago fall inside [now - 1 h, now); the 60-minute one sits right at the edge.
    expect(metrics.length).toBeGreaterThanOrEqual(59);
    expect(metrics.length).toBeLessThanOrEqual(60);
    const last = metrics.at(-1);
    expect(last).toEqual({
      timestamp: new Date(now - 60_000).toISOString(),
      cpu: 1,
      memory: 50,
      disk: 25,
      network: { rx: 1000, tx: 500 },
    });
    const times = metrics.map((m: { timestamp: string }) => Date.parse(m.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(res.headers.get('x-resolution')).toBe('raw');
  });

  it('returns only the requested metric with each timestamp', async () => {
    const cpu = (await (await get('/api/monitoring/performance?serverId=hourly&metric=cpu')).json()).metrics;
    expect(Object.keys(cpu[0])).toEqual(['timestamp', 'cpu']);
    const network = (await (await get('/api/monitoring/performance?serverId=hourly&metric=network')).json()).metrics;
    expect(network.at(-1)).toEqual({ timestamp: new Date(now - 60_000).toISOString(), network: { rx: 1000, tx: 500 } });
    const memory = (await (await get('/api/monitoring/performance?serverId=hourly&metric=memory')).json()).metrics;
    expect(memory.at(-1)).toEqual({ timestamp: new Date(now - 60_000).toISOString(), memory: 50 });
  });

  it('honours from (inclusive) and to (exclusive)', async () => {
    const from = new Date(now - 30 * 60_000).toISOString();
    const to = new Date(now - 20 * 60_000).toISOString();
    const { metrics } = await (
      await get(`/api/monitoring/performance?serverId=${hourly}&metric=cpu&from=${from}&to=${to}`)
    ).json();
    expect(metrics.map((m: { cpu: number }) => m.cpu)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
  });

  it('holds at most 1,000 points for 2,400 samples and keeps the spike and the dip', async () => {
    const from = new Date(now - 2.9 * 3_600_000).toISOString();
    const to = new Date(now).toISOString();
    const cpu = (
      await (await get(`/api/monitoring/performance?serverId=dense&metric=cpu&from=${from}&to=${to}`)).json()
    ).metrics;
    expect(cpu.length).toBeLessThanOrEqual(1000);
    expect(cpu.length).toBeGreaterThan(500);
    expect(Math.max(...cpu.map((p: { cpu: number }) => p.cpu))).toBe(99.5);
    expect(Math.min(...cpu.map((p: { cpu: number }) => p.cpu))).toBe(0.5);
    const all = (await (await get(`/api/monitoring/performance?serverId=dense&from=${from}&to=${to}`)).json()).metrics;
    expect(all.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...all.map((p: { network: { rx: number } }) => p.network.rx))).toBe(987654);
    expect(Math.max(...all.map((p: { cpu: number }) => p.cpu))).toBe(99.5);
  });

  it('reads one-minute rollups for ranges beyond three hours', async () => {
    const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
    await db.connect();
    try {
      await db.query(`select private.rollup_samples('minute', $1, $2)`, [new Date(now - 3 * 3_600_000), new Date(now)]);
    } finally {
      await db.end();
    }
    const from = new Date(now - 6 * 3_600_000).toISOString();
    const res = await get(
      `/api/monitoring/performance?serverId=dense&metric=cpu&from=${from}&to=${new Date(now).toISOString()}`,
    );
    expect(res.headers.get('x-resolution')).toBe('1m');
    const { metrics } = await res.json();
    // 2,400 samples at 4 s span 160 minutes: one averaged point per minute.
    expect(metrics.length).toBeGreaterThanOrEqual(160);
    expect(metrics.length).toBeLessThanOrEqual(162);
  });
});

describe('caching', () => {
  it('serves a repeated request from the cache, with ETag and 304, and lets settled history be cached longer', async () => {
    const from = new Date(now - 50 * 60_000).toISOString();
    const to = new Date(now - 40 * 60_000).toISOString();
    const path = `/api/monitoring/performance?serverId=hourly&from=${from}&to=${to}`;
    const first = await get(path);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.headers.get('cache-control')).toBe('private, max-age=300');
    const second = await get(path, { 'if-none-match': first.headers.get('etag')! });
    expect(second.status).toBe(304);
    expect(second.headers.get('x-cache')).toBe('hit');
    const live = await get('/api/monitoring/performance?serverId=hourly&metric=disk');
    expect(live.headers.get('cache-control')).toBe('private, no-cache');
  });
});
