/** The API's pure parts: parameter validation, peak-keeping downsampling, encodings, validators, CSRF and redirect checks. */
import { describe, expect, it } from 'vitest';
import { pickEncoding } from '../src/lib/server/compress.ts';
import { isCrossSiteForm } from '../src/lib/server/csrf.ts';
import { downsampleExtremes } from '../src/lib/server/downsample.ts';
import { matchesIfNoneMatch } from '../src/lib/server/http-cache.ts';
import { toSeries, type RangeRow } from '../src/lib/server/performance.ts';
import { parseIsoTime, parsePerformanceQuery } from '../src/lib/server/performance-query.ts';
import { safeRedirectTarget } from '../src/lib/server/redirect-target.ts';

const now = new Date('2026-06-01T12:00:00Z');
const q = (s: string) => parsePerformanceQuery(new URLSearchParams(s), now);
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('performance parameters', () => {
  it('defaults to the hour before now and marks it as the moving window', () => {
    expect(q('serverId=a')).toEqual({
      serverId: 'a',
      from: new Date('2026-06-01T11:00:00Z'),
      to: now,
      lastHour: true,
      metric: null,
    });
  });

  it('takes an hour before `to` when only `to` is given, and now when only `from` is', () => {
    expect(q('serverId=a&to=2026-05-01T10:00:00Z').from).toEqual(new Date('2026-05-01T09:00:00Z'));
    expect(q('serverId=a&from=2026-06-01T10:00:00Z').to).toEqual(now);
  });

  it('accepts dates, fractions and offsets', () => {
    expect(parseIsoTime('from', '2026-06-01')).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(parseIsoTime('from', '2026-06-01T12:00:00.250+09:00')).toEqual(new Date('2026-06-01T03:00:00.250Z'));
    expect(parseIsoTime('from', '2026-06-01T12:00Z')).toEqual(new Date('2026-06-01T12:00:00Z'));
  });

  it('names the parameter and the fix in every refusal', () => {
    expect(reason(() => q(''))).toMatch(/^serverId is required/);
    expect(reason(() => q('serverId=%20'))).toMatch(/^serverId is required/);
    expect(reason(() => q('serverId=a&from='))).toMatch(/^from must be an ISO 8601 time.*got ""/);
    expect(reason(() => q('serverId=a&from=1717243200'))).toMatch(/^from must be an ISO 8601/);
    expect(reason(() => q('serverId=a&to=2026-06-01T10:00'))).toMatch(/add Z or an offset/);
    expect(reason(() => q('serverId=a&to=2026-13-01T00:00:00Z'))).toMatch(/not a real calendar time/);
    expect(reason(() => q('serverId=a&to=2026-06-01T24:00:00Z'))).toMatch(/not a real calendar time/);
    expect(reason(() => q('serverId=a&from=2026-06-01T10:00:00Z&to=2026-06-01T10:00:00Z'))).toMatch(
      /from must be before to/,
    );
    expect(reason(() => q('serverId=a&metric=CPU'))).toMatch(
      /metric must be one of cpu, memory, disk, network, got "CPU"/,
    );
  });
});

describe('downsampling', () => {
  const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ i, v: f(i) }));

  it('leaves short series alone and cuts long ones to the limit, in order', () => {
    const short = series(10, (i) => i);
    expect(downsampleExtremes(short, 1000, [(r) => r.v])).toEqual(short);
    const long = series(100_000, (i) => Math.sin(i / 50));
    const out = downsampleExtremes(long, 1000, [(r) => r.v]);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out.length).toBeGreaterThan(900);
    expect(out.every((r, k) => k === 0 || r.i > out[k - 1]!.i)).toBe(true);
  });

  it('keeps a one-sample spike and dip of every field, where every n-th sample would lose them', () => {
    const rows = series(50_000, () => 50).map((r) => ({ ...r, w: 10 }));
    rows[12_345]!.v = 100;
    rows[33_333]!.v = 0;
    rows[40_001]!.w = 999;
    const out = downsampleExtremes(rows, 1000, [(r) => r.v, (r) => r.w]);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out.map((r) => r.i)).toEqual(expect.arrayContaining([12_345, 33_333, 40_001]));
  });

  it('skips nulls and still returns a row for an all-null bucket', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i, v: i < 1500 ? null : i }));
    const out = downsampleExtremes(rows, 100, [(r) => r.v]);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out[0]!.i).toBe(0);
    expect(out.at(-1)!.i).toBe(2999);
  });

  it('shapes rows as seed points with one field per metric', () => {
    const row: RangeRow = {
      ts: '2026-06-01T11:00:00+00:00',
      resolution: 'raw',
      cpu_total: 32.54,
      mem_percent: 48.21,
      disk_percent: 50,
      net_rx_bps: 980.4,
      net_tx_bps: 490.6,
      cpu_total_max: 32.54,
      mem_percent_max: 48.21,
      disk_percent_max: 50,
      net_rx_bps_max: 980.4,
      net_tx_bps_max: 490.6,
    };
    expect(toSeries([row], null)).toEqual({
      resolution: 'raw',
      points: [
        { timestamp: '2026-06-01T11:00:00.000Z', cpu: 32.5, memory: 48.2, disk: 50, network: { rx: 980, tx: 491 } },
      ],
    });
    expect(toSeries([row], 'network').points).toEqual([
      { timestamp: '2026-06-01T11:00:00.000Z', network: { rx: 980, tx: 491 } },
    ]);
  });
});

describe('rollup peaks in the seed API', () => {
  it('keeps the bucket whose maximum held a spike, and answers its average', () => {
    // 3,000 one-minute buckets with equal averages; one bucket's raw maximum was a spike.
    const rows: RangeRow[] = Array.from({ length: 3000 }, (_, i) => ({
      ts: new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString(),
      resolution: '1m',
      cpu_total: 30,
      mem_percent: 40,
      disk_percent: 50,
      net_rx_bps: 1000,
      net_tx_bps: 500,
      cpu_total_max: i === 1777 ? 99 : 31,
      mem_percent_max: 41,
      disk_percent_max: 50,
      net_rx_bps_max: 1000,
      net_tx_bps_max: 500,
    }));
    const spikeAt = new Date(rows[1777]!.ts).toISOString();
    const cpu = toSeries(rows, 'cpu').points;
    expect(cpu.length).toBeLessThanOrEqual(1000);
    expect(cpu.find((p) => p.timestamp === spikeAt)).toEqual({ timestamp: spikeAt, cpu: 30 });
    expect(toSeries(rows, null).points.some((p) => p.timestamp === spikeAt)).toBe(true);
  });
});

describe('HTTP helpers', () => {
  it('prefers brotli, honours q=0 and falls back to gzip or nothing', () => {
    expect(pickEncoding('gzip, deflate, br')).toBe('br');
    expect(pickEncoding('br;q=0, gzip')).toBe('gzip');
    expect(pickEncoding('gzip;q=1, br;q=0.5')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('identity')).toBeNull();
    expect(pickEncoding(null)).toBeNull();
  });

  it('matches If-None-Match weakly, in lists and with *', () => {
    expect(matchesIfNoneMatch('W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"abc"', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('*', 'W/"abc"')).toBe(true);
    expect(matchesIfNoneMatch('W/"abd"', 'W/"abc"')).toBe(false);
    expect(matchesIfNoneMatch(null, 'W/"abc"')).toBe(false);
  });

  it('refuses form posts from another host or without an Origin, and lets JSON and GET through', () => {
    const post = (headers: Record<string, string>) => new Request('http://app.test/login', { method: 'POST', headers });
    const form = { 'content-type': 'application/x-www-form-urlencoded', host: 'app.test:3000' };
    expect(isCrossSiteForm(post({ ...form, origin: 'http://app.test:3000' }))).toBe(false);
    expect(isCrossSiteForm(post({ ...form, origin: 'https://app.test:3000' }))).toBe(false);
    expect(isCrossSiteForm(post({ ...form, origin: 'http://evil.test' }))).toBe(true);
    expect(isCrossSiteForm(post(form))).toBe(true);
    expect(isCrossSiteForm(post({ ...form, 'content-type': 'application/json', origin: 'http://evil.test' }))).toBe(
      false,
    );
    expect(
      isCrossSiteForm(
        post({ ...form, origin: 'http://public.example', 'x-forwarded-host': 'public.example' }),
        'x-forwarded-host',
      ),
    ).toBe(false);
  });

  it('redirects after sign-in only to paths on this site', () => {
    expect(safeRedirectTarget('/hosts?x=1')).toBe('/hosts?x=1');
    expect(safeRedirectTarget('//evil.test/')).toBe('/');
    expect(safeRedirectTarget('/\\evil.test')).toBe('/');
    expect(safeRedirectTarget('https://evil.test')).toBe('/');
    expect(safeRedirectTarget(null)).toBe('/');
  });
});
