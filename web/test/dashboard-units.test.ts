/** Pure dashboard logic: formatting, labels, ranges, downsampling, host status, rule rows. */
import { describe, expect, it } from 'vitest';
import { downsample, hourOfWeek } from '../src/lib/downsample.ts';
import { ago, bytes, dateTime, duration, metricValue, percent, rate } from '../src/lib/format.ts';
import { hostStatus, metricsFromApi } from '../src/lib/host-model.ts';
import { parseLabels } from '../src/lib/labels.ts';
import { peakKey, rangeRow } from '../src/lib/range-rows.ts';
import { rangeFromUrl, rangeToQuery, resolveRange } from '../src/lib/time-range.ts';
import {
  conditionText,
  draftFromRow,
  emptyDraft,
  intervalSeconds,
  metricsFor,
  normalizeDraft,
  rowFromDraft,
  type RuleRow,
} from '../src/routes/(app)/rules/rule-model.ts';
import {
  describeSchedule,
  draftFromWindow,
  emptyWindowDraft,
  parseLabels as parseWindowLabels,
  rowFromWindowDraft,
  type MaintenanceWindow,
} from '../src/routes/(app)/alerts/window-model.ts';

describe('format', () => {
  it('formats percentages, sizes, rates and durations with unknowns as a dash', () => {
    expect(percent(42.46)).toBe('42.5%');
    expect(percent(null)).toBe('–');
    expect(bytes(0)).toBe('0 B');
    expect(bytes(1536)).toBe('1.5 KB');
    expect(bytes(17179869184)).toBe('16 GB');
    expect(rate(1048576)).toBe('1 MB/s');
    expect(rate(undefined)).toBe('–');
    expect(duration(93784)).toBe('1d 2h');
    expect(duration(59)).toBe('59s');
    expect(duration(0)).toBe('0s');
    expect(ago('2025-06-01T12:00:00Z', Date.parse('2025-06-01T12:03:10Z'))).toBe('3m ago');
    expect(ago(null)).toBe('never');
    expect(dateTime('not a date')).toBe('–');
  });

  it('formats a rule value in its metric unit', () => {
    expect(metricValue('mem_percent', 91)).toBe('91%');
    expect(metricValue('cpu_iowait', 12.25)).toBe('12.3%');
    expect(metricValue('net_rx_bps', 2048)).toBe('2 KB/s');
    expect(metricValue('host_down', 3)).toBe('3 missed intervals');
    expect(metricValue('load_1', 1.5)).toBe('1.5');
  });
});

describe('labels', () => {
  it('parses key=value lists and says what is wrong otherwise', () => {
    expect(parseLabels('env=prod, role = web')).toEqual({ labels: { env: 'prod', role: 'web' } });
    expect(parseLabels('')).toEqual({ labels: {} });
    expect(parseLabels('env=a=b')).toEqual({ labels: { env: 'a=b' } });
    expect(parseLabels('prod')).toEqual({
      error: 'Cannot read the label "prod": write key=value, separated by commas',
    });
    expect(parseLabels('=x')).toHaveProperty('error');
  });
});

describe('time ranges', () => {
  it('reads presets and custom spans from the URL, defaulting to the last hour', () => {
    const url = (q: string) => new URL(`http://x/hosts/a?${q}`);
    expect(rangeFromUrl(url(''))).toEqual({ preset: '1h' });
    expect(rangeFromUrl(url('range=7d'))).toEqual({ preset: '7d' });
    expect(rangeFromUrl(url('range=2y'))).toEqual({ preset: '1h' });
    const custom = rangeFromUrl(url('from=2025-06-01T10:00:00.000Z&to=2025-06-01T12:00:00.000Z'));
    expect(custom).toEqual({
      preset: 'custom',
      from: new Date('2025-06-01T10:00:00Z'),
      to: new Date('2025-06-01T12:00:00Z'),
    });
    expect(rangeFromUrl(url('from=2025-06-01T12:00:00Z&to=2025-06-01T10:00:00Z'))).toEqual({ preset: '1h' });
    expect(rangeToQuery(custom)).toBe('from=2025-06-01T10:00:00.000Z&to=2025-06-01T12:00:00.000Z');
    const now = Date.parse('2025-06-01T12:00:00Z');
    expect(resolveRange({ preset: '15m' }, now)).toEqual({
      from: new Date(now - 900_000),
      to: new Date(now),
      live: true,
    });
    expect(resolveRange(custom).live).toBe(false);
  });
});

describe('downsample', () => {
  it("keeps each bucket's peak and returns short series unchanged", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      ts: new Date(i * 1000),
      cpu: i === 517 ? 99 : 10,
      mem: null,
    }));
    const out = downsample(rows, 100, ['cpu', 'mem']);
    expect(out).toHaveLength(100);
    expect(Math.max(...out.map((r) => r.cpu as number))).toBe(99);
    expect(out[0]!.mem).toBeNull();
    expect(out[1]!.ts).toEqual(new Date(10_000));
    expect(downsample(rows.slice(0, 50), 100, ['cpu'])).toHaveLength(50);
  });

  it('carries rollup bucket maxima as peaks, and none for raw rows or live snapshots', () => {
    const at = '2026-06-01T11:00:00+00:00';
    const rolled = rangeRow({ ts: at, resolution: '1m', cpu_total: 31.5, cpu_total_max: 99, mem_percent: 40 }, [
      'cpu_total',
      'mem_percent',
    ]);
    expect(rolled).toEqual({
      ts: new Date(at),
      cpu_total: 31.5,
      cpu_total_max: 99,
      mem_percent: 40,
      mem_percent_max: null,
    });
    expect(rangeRow({ ts: at, resolution: 'raw', cpu_total: 31.5, cpu_total_max: 31.5 }, ['cpu_total'])).toEqual({
      ts: new Date(at),
      cpu_total: 31.5,
      cpu_total_max: null,
    });
    expect(rangeRow({ ts: at, cpu_total: 7 }, ['cpu_total'])[peakKey('cpu_total')]).toBeNull();
    // Downsampling keeps each bucket's peak of the peaks too.
    const rows = Array.from({ length: 100 }, (_, i) =>
      rangeRow({ ts: at, resolution: '1h', cpu_total: 30, cpu_total_max: i === 57 ? 99 : 35 }, ['cpu_total']),
    );
    const kept = downsample(rows, 10, ['cpu_total', peakKey('cpu_total')]);
    expect(kept).toHaveLength(10);
    expect(Math.max(...kept.map((r) => r.cpu_total_max as number))).toBe(99);
    expect(kept.every((r) => r.cpu_total === 30)).toBe(true);
  });

  it('numbers the hours of the week from Monday 00:00 UTC', () => {
    expect(hourOfWeek(new Date('2025-06-02T00:30:00Z'))).toBe(0); // a Monday
    expect(hourOfWeek(new Date('2025-06-08T23:59:00Z'))).toBe(167); // the Sunday after
  });
});

describe('host status', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it('is offline without a recent sample, else the worst firing severity', () => {
    expect(hostStatus(null, 30, [], now)).toBe('offline');
    expect(hostStatus('2025-06-01T11:59:00Z', 30, ['critical'], now)).toBe('offline');
    expect(hostStatus('2025-06-01T11:59:50Z', 30, [], now)).toBe('healthy');
    expect(hostStatus('2025-06-01T11:59:50Z', 30, ['warning'], now)).toBe('warning');
    expect(hostStatus('2025-06-01T11:59:50Z', 30, ['warning', 'critical'], now)).toBe('critical');
  });

  it("turns the API's megabytes back into bytes", () => {
    const m = metricsFromApi({
      id: 'web-1',
      name: 'Web 1',
      status: 'healthy',
      cpu: { usage: 35.2, cores: 4 },
      memory: { total: 16384, used: 8192, usage: 50 },
      disk: { total: null, used: null, usage: null },
      network: { rx: 1024, tx: 512, connections: 245 },
      uptime: 60,
      lastChecked: null,
    });
    expect(m).toMatchObject({
      cpu: 35.2,
      cpuCount: 4,
      memTotal: 16384 * 1048576,
      memUsed: 8192 * 1048576,
      diskTotal: null,
      netRx: 1024,
      netConnections: 245,
    });
  });
});

describe('rule rows', () => {
  it('reads Postgres intervals as seconds', () => {
    expect(intervalSeconds('00:00:00')).toBe(0);
    expect(intervalSeconds('00:01:30')).toBe(90);
    expect(intervalSeconds('1 day 02:00:00')).toBe(93600);
  });

  it('writes only the scope columns the scope uses, and round-trips a stored rule', () => {
    const draft = {
      ...emptyDraft(),
      name: ' cpu ',
      scope: 'label' as const,
      labelKey: 'env',
      labelValue: '',
      hostId: 'h',
      recovery: '80',
      forSeconds: 90,
    };
    const row = rowFromDraft(draft, 'team-1');
    expect(row).toMatchObject({
      team_id: 'team-1',
      name: 'cpu',
      scope_host_id: null,
      scope_label_key: 'env',
      scope_label_value: null,
      recovery_threshold: 80,
      for_duration: '90 seconds',
    });
    expect(rowFromDraft({ ...draft, recovery: ' ' }, 't').recovery_threshold).toBeNull();
    const stored = {
      ...row,
      id: 'r1',
      description: null,
      for_duration: '00:01:30',
      channel_ids: [],
    } as unknown as RuleRow;
    expect(draftFromRow(stored)).toMatchObject({
      name: 'cpu',
      scope: 'label',
      labelKey: 'env',
      recovery: '80',
      forSeconds: 90,
    });
  });

  it('reminds every 4 hours by default, never when turned off, and reads stored intervals back', () => {
    expect(rowFromDraft(emptyDraft(), 't').repeat_interval).toBe('14400 seconds');
    expect(rowFromDraft({ ...emptyDraft(), repeatSeconds: 0 }, 't').repeat_interval).toBeNull();
    const base = {
      ...rowFromDraft(emptyDraft(), 't'),
      id: 'r',
      description: null,
      for_duration: '00:01:00',
      channel_ids: [],
    };
    expect(draftFromRow({ ...base, repeat_interval: '04:00:00' } as unknown as RuleRow).repeatSeconds).toBe(14400);
    expect(draftFromRow({ ...base, repeat_interval: '1 day' } as unknown as RuleRow).repeatSeconds).toBe(86400);
    expect(draftFromRow({ ...base, repeat_interval: null } as unknown as RuleRow).repeatSeconds).toBe(0);
  });
});

describe('maintenance window model', () => {
  const draft = { ...emptyWindowDraft(new Date(2026, 0, 1, 10, 0), 'Europe/Berlin'), name: ' Patch Sunday ' };

  it('writes only the columns of the chosen kind and scope', () => {
    expect(rowFromWindowDraft(draft, 't')).toEqual({
      team_id: 't',
      name: 'Patch Sunday',
      comment: null,
      kind: 'weekly',
      time_zone: 'Europe/Berlin',
      starts_at: null,
      ends_at: null,
      weekdays: [7],
      start_time: '02:00',
      end_time: '04:00',
      cron: null,
      duration: null,
      scope: 'all',
      host_ids: [],
      labels: {},
      enabled: true,
    });
    const cron = rowFromWindowDraft(
      {
        ...draft,
        kind: 'cron',
        cron: ' 0 3 * * * ',
        durationMinutes: 90,
        scope: 'labels',
        labels: 'env=prod, role = db',
      },
      't',
    );
    expect(cron).toMatchObject({
      cron: '0 3 * * *',
      duration: '90 minutes',
      weekdays: null,
      labels: { env: 'prod', role: 'db' },
      host_ids: [],
    });
    const once = rowFromWindowDraft({ ...draft, kind: 'once', scope: 'hosts', hostIds: ['h1'] }, 't');
    expect(once.starts_at).toBe(new Date(2026, 0, 1, 10, 0).toISOString());
    expect(once.ends_at).toBe(new Date(2026, 0, 1, 12, 0).toISOString());
    expect(once).toMatchObject({ host_ids: ['h1'], cron: null, weekdays: null });
  });

  it('refuses labels that are not key=value, and reads a stored window back', () => {
    expect(parseWindowLabels('env=prod,, tier=1')).toEqual({ env: 'prod', tier: '1' });
    expect(parseWindowLabels('env')).toBe('Write labels as key=value, separated by commas (got "env")');
    expect(() => rowFromWindowDraft({ ...draft, scope: 'labels', labels: '=x' }, 't')).toThrow(/key=value/);
    const stored = {
      ...rowFromWindowDraft({ ...draft, kind: 'cron', cron: '0 2 * * sun', durationMinutes: 90 }, 't'),
      id: 'w',
      duration: '01:30:00',
      created_at: '',
      updated_at: '',
      created_by: null,
    } as unknown as MaintenanceWindow;
    expect(draftFromWindow(stored)).toMatchObject({
      kind: 'cron',
      cron: '0 2 * * sun',
      durationMinutes: 90,
      timeZone: 'Europe/Berlin',
    });
    expect(describeSchedule(stored, String)).toBe('cron 0 2 * * sun for 90 min (Europe/Berlin)');
    const weekly = {
      ...stored,
      kind: 'weekly',
      weekdays: [1, 5],
      start_time: '22:00:00',
      end_time: '02:00:00',
    } as MaintenanceWindow;
    expect(describeSchedule(weekly, String)).toBe('Mon, Fri 22:00–02:00 (Europe/Berlin)');
  });
});

describe('rule sources and anomaly rules', () => {
  it('offers only the metrics and dimensions of the chosen source', () => {
    expect(metricsFor({ kind: 'threshold', source: 'app' }).map((m) => m.key)).toEqual([
      'error_rate',
      'latency_p50_ms',
      'latency_p95_ms',
      'latency_p99_ms',
      'throughput_rps',
    ]);
    expect(metricsFor({ kind: 'anomaly', source: 'db' }).map((m) => m.key)).toContain('cpu_total');
    // Switching from a host metric to the database source picks a database metric and drops foreign dimensions.
    const n = normalizeDraft({
      ...emptyDraft(),
      source: 'db',
      metric: 'cpu_total',
      match: { db: 'app', service: 'x' },
    });
    expect([n.metric, n.match]).toEqual(['connections_used_pct', { db: 'app' }]);
    // Anomaly rules always watch host metrics.
    expect(normalizeDraft({ ...emptyDraft(), kind: 'anomaly', source: 'app', metric: 'error_rate' })).toMatchObject({
      source: 'host',
      metric: 'cpu_total',
    });
  });

  it('writes the source and its non-empty dimensions, and round-trips them', () => {
    const row = rowFromDraft(
      {
        ...emptyDraft(),
        name: 'errors',
        source: 'app',
        metric: 'error_rate',
        threshold: 5,
        match: { service: ' api ', route: ' ' },
      },
      't',
    );
    expect(row).toMatchObject({
      source: 'app',
      metric: 'error_rate',
      series_match: { service: 'api' },
      kind: 'threshold',
    });
    const stored = {
      ...row,
      id: 'r',
      for_duration: '00:01:00',
      anomaly_window: '00:05:00',
      channel_ids: [],
    } as unknown as RuleRow;
    expect(draftFromRow(stored)).toMatchObject({ source: 'app', match: { service: 'api' } });
    expect(conditionText(stored, (_m, v) => String(v))).toBe('Application (RED): Error rate % > 5 (service=api)');
  });

  it('stores an anomaly rule with its share, sensitivity and window, and shows it as such', () => {
    const row = rowFromDraft(
      {
        ...emptyDraft(),
        name: 'odd cpu',
        kind: 'anomaly',
        metric: 'cpu_total',
        sensitivity: 'high',
        windowMinutes: 10,
        anomalousPct: 60,
      },
      't',
    );
    expect(row).toMatchObject({
      kind: 'anomaly',
      source: 'host',
      threshold: 0.6,
      sensitivity: 'high',
      anomaly_window: '10 minutes',
      recovery_threshold: null,
      series_match: {},
    });
    const stored = {
      ...row,
      id: 'r',
      for_duration: '00:00:00',
      anomaly_window: '00:10:00',
      channel_ids: [],
    } as unknown as RuleRow;
    expect(draftFromRow(stored)).toMatchObject({
      kind: 'anomaly',
      anomalousPct: 60,
      windowMinutes: 10,
      sensitivity: 'high',
    });
    expect(conditionText(stored, (_m, v) => String(v))).toBe(
      'CPU total % anomalous (high sensitivity) for 60 % of 10 min',
    );
  });
});
