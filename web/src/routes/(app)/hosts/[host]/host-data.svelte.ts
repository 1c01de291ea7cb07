/** A host page's history for one range: metrics, anomaly bands, alert markers, checks and database panel. */
import { eventKindText } from '#lib/terms.ts';
import { m } from '#lib/paraglide/messages.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database, Tables } from '$shared/database.types.ts';
import { downsample, hourOfWeek, type SeriesRow } from '#lib/downsample.ts';
import type { LatestRow } from '#lib/host-model.ts';
import { peakKey, rangeRow } from '#lib/range-rows.ts';
import type { ChartMarker } from '#lib/components/time-chart.svelte';

/** Fields plotted from metrics_range. */
export const FIELDS = [
  'cpu_total',
  'cpu_iowait',
  'load_1',
  'mem_percent',
  'swap_percent',
  'disk_percent',
  'disk_read_bps',
  'disk_write_bps',
  'net_rx_bps',
  'net_tx_bps',
  'net_connections',
] as const;
/** Metrics that get an anomaly band when baselines exist. */
export const BANDED = ['cpu_total', 'mem_percent', 'load_1', 'net_rx_bps'] as const;
/** Points per chart at most (the SVG stays light; peaks are kept). */
const MAX_POINTS = 600;

/** Latest sample of one HTTP check or application. */
export type CheckRow = Pick<
  Tables<'app_samples'>,
  'check_name' | 'kind' | 'target' | 'status' | 'status_code' | 'latency_ms' | 'error_rate' | 'ts'
>;
/** Latest sample of one monitored database. */
export type DbRow = Pick<
  Tables<'db_samples'>,
  | 'db_name'
  | 'engine'
  | 'ts'
  | 'connections_active'
  | 'connections_idle'
  | 'connections_total'
  | 'max_connections'
  | 'cache_hit_ratio'
  | 'xact_commit_rate'
  | 'deadlocks'
  | 'size_bytes'
  | 'replication_lag_s'
>;
/** One row of the top_statements view. */
export type StatementRow = Pick<
  Tables<'top_statements'>,
  'db_name' | 'rank' | 'query' | 'calls' | 'total_ms' | 'mean_ms' | 'rows'
>;

/** Loads and holds one host's history; appends live samples while the range ends now. */
export class HostData {
  rows = $state.raw<SeriesRow[]>([]);
  cores = $state.raw<SeriesRow[]>([]);
  coreCount = $state(0);
  markers = $state.raw<ChartMarker[]>([]);
  checkSeries = $state.raw<SeriesRow[]>([]);
  checkNames = $state.raw<string[]>([]);
  checks = $state.raw<CheckRow[]>([]);
  dbs = $state.raw<DbRow[]>([]);
  statements = $state.raw<StatementRow[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private baselines = new Map<string, { expected: number; band: number }>();
  private loadId = 0;
  private readonly supabase: SupabaseClient<Database>;
  readonly hostId: string;

  constructor(supabase: SupabaseClient<Database>, hostId: string) {
    this.supabase = supabase;
    this.hostId = hostId;
  }

  /** Loads everything for [from, to); a newer call supersedes a slower older one. */
  async load(from: Date, to: Date): Promise<void> {
    const id = ++this.loadId;
    this.loading = true;
    const sb = this.supabase;
    const span = +to - +from;
    const [metrics, cores, events, baselines, apps, dbs, stmts] = await Promise.all([
      this.loadMetrics(from, to),
      span <= 6 * 3_600_000
        ? sb
            .from('host_samples')
            .select('ts, cpu_cores')
            .eq('host_id', this.hostId)
            .gte('ts', from.toISOString())
            .lt('ts', to.toISOString())
            .order('ts')
            .limit(5000)
        : Promise.resolve({ data: [], error: null }),
      sb
        .from('alert_events')
        .select('occurred_at, kind, rule_name, severity')
        .eq('host_id', this.hostId)
        .in('kind', ['firing', 'resolved'])
        .gte('occurred_at', from.toISOString())
        .lte('occurred_at', to.toISOString())
        .order('occurred_at')
        .limit(200),
      sb
        .from('anomaly_baselines')
        .select('metric, hour_of_week, expected, band')
        .eq('host_id', this.hostId)
        .in('metric', [...BANDED]),
      this.loadChecks(from, to),
      sb
        .from('db_samples')
        .select(
          'db_name, engine, ts, connections_active, connections_idle, connections_total, max_connections, cache_hit_ratio, xact_commit_rate, deadlocks, size_bytes, replication_lag_s',
        )
        .eq('host_id', this.hostId)
        .gte('ts', new Date(Date.now() - 3_600_000).toISOString())
        .order('ts', { ascending: false })
        .limit(100),
      sb
        .from('top_statements')
        .select('db_name, rank, query, calls, total_ms, mean_ms, rows')
        .eq('host_id', this.hostId)
        .order('db_name')
        .order('rank')
        .limit(50),
    ]);
    if (id !== this.loadId) return;
    const err = metrics.error ?? events.error;
    this.error = err ? m.host_history_failed({ reason: err.message }) : null;
    this.baselines = new Map(
      (baselines.data ?? []).map((b) => [`${b.metric}:${b.hour_of_week}`, { expected: b.expected, band: b.band }]),
    );
    const raw = ((metrics.data ?? []) as Record<string, unknown>[]).map((r) => this.toRow(r));
    this.rows = downsample(raw, MAX_POINTS, [
      ...FIELDS,
      ...FIELDS.map(peakKey),
      ...BANDED.flatMap((m) => [`${m}_lo`, `${m}_hi`]),
    ]);
    this.setCores(cores.data ?? []);
    this.markers = (events.data ?? []).map((e) => ({
      ts: new Date(e.occurred_at),
      label: `${e.rule_name} ${eventKindText(e.kind)}`,
      severity: e.kind === 'firing' ? e.severity : 'resolved',
    }));
    const latestDb = new Map<string, DbRow>();
    for (const d of dbs.data ?? []) if (!latestDb.has(d.db_name)) latestDb.set(d.db_name, d);
    this.dbs = [...latestDb.values()];
    this.statements = stmts.data ?? [];
    this.checkSeries = apps.series;
    this.checkNames = apps.names;
    this.checks = apps.latest;
    this.loading = false;
  }

  /** Appends a live snapshot (newer than the last row) and drops rows older than `from`. */
  append(row: LatestRow, from: Date): void {
    const ts = new Date(row.ts);
    const last = this.rows[this.rows.length - 1];
    if (last && ts <= last.ts) return;
    this.rows = [...this.rows.filter((r) => r.ts >= from), this.toRow(row as Record<string, unknown>)];
    if (row.cpu_cores) this.cores = [...this.cores.filter((r) => r.ts >= from), coreRow(ts, row.cpu_cores)];
  }

  /**
   * metrics_range picks raw data up to 3 h and rollups beyond; rollups lag the newest samples by up to
   * a bucket (and a new host has none yet), so raw samples fill the tail after the last bucket.
   */
  private async loadMetrics(
    from: Date,
    to: Date,
  ): Promise<{ data: Record<string, unknown>[] | null; error: { message: string } | null }> {
    const sb = this.supabase;
    const rolled = await sb.rpc('metrics_range', {
      p_host_id: this.hostId,
      p_from: from.toISOString(),
      p_to: to.toISOString(),
    });
    const rows = (rolled.data ?? []) as Record<string, unknown>[];
    if (rolled.error || rows[0]?.resolution === 'raw' || +to - +from <= 3 * 3_600_000) return rolled;
    const last = rows.length ? new Date(rows[rows.length - 1]!.ts as string) : null;
    const bucket = rows[0]?.resolution === '1h' ? 3_600_000 : 60_000;
    const tailFrom = new Date(Math.max(+from, last ? +last + bucket : +to - 3 * 3_600_000));
    if (tailFrom >= to) return rolled;
    const tail = await sb.rpc('metrics_range', {
      p_host_id: this.hostId,
      p_from: tailFrom.toISOString(),
      p_to: to.toISOString(),
      p_resolution: 'raw',
    });
    return { data: [...rows, ...((tail.data ?? []) as Record<string, unknown>[])], error: tail.error };
  }

  private toRow(r: Record<string, unknown>): SeriesRow {
    const row = rangeRow(r, FIELDS);
    const ts = row.ts;
    const how = hourOfWeek(ts);
    for (const m of BANDED) {
      const b = this.baselines.get(`${m}:${how}`);
      row[`${m}_lo`] = b ? Math.max(0, b.expected - b.band) : null;
      row[`${m}_hi`] = b ? b.expected + b.band : null;
    }
    return row;
  }

  private setCores(samples: { ts: string; cpu_cores: number[] | null }[]): void {
    const rows = samples.filter((s) => s.cpu_cores?.length).map((s) => coreRow(new Date(s.ts), s.cpu_cores!));
    this.coreCount = Math.min(
      16,
      samples.reduce((n, s) => Math.max(n, s.cpu_cores?.length ?? 0), 0),
    );
    this.cores = downsample(
      rows,
      MAX_POINTS,
      Array.from({ length: this.coreCount }, (_, i) => `core${i}`),
    );
  }

  /** HTTP/TCP checks only: OTLP application rows (kind 'app') belong to the services panel. */
  private async loadChecks(
    from: Date,
    to: Date,
  ): Promise<{ series: SeriesRow[]; names: string[]; latest: CheckRow[] }> {
    const span = +to - +from;
    const sb = this.supabase;
    const raw = span <= 6 * 3_600_000;
    // One literal table name per query, so supabase-js types each select from the generated row.
    const rollup = (t: 'app_samples_1m' | 'app_samples_1h') =>
      sb
        .from(t)
        .select('check_name, ts:bucket, latency_ms:latency_avg')
        .eq('host_id', this.hostId)
        .gte('bucket', from.toISOString())
        .lt('bucket', to.toISOString())
        .order('bucket')
        .limit(5000);
    const [hist, latest] = await Promise.all([
      raw
        ? sb
            .from('app_samples')
            .select('check_name, ts, latency_ms')
            .eq('host_id', this.hostId)
            .neq('kind', 'app')
            .gte('ts', from.toISOString())
            .lt('ts', to.toISOString())
            .order('ts')
            .limit(5000)
        : rollup(span <= 3 * 86_400_000 ? 'app_samples_1m' : 'app_samples_1h'),
      sb
        .from('app_samples')
        .select('check_name, kind, target, status, status_code, latency_ms, error_rate, ts')
        .eq('host_id', this.hostId)
        .neq('kind', 'app')
        .gte('ts', new Date(Date.now() - 3_600_000).toISOString())
        .order('ts', { ascending: false })
        .limit(200),
    ]);
    const names: string[] = [];
    const byTs = new Map<string, SeriesRow>();
    for (const r of hist.data ?? []) {
      if (!names.includes(r.check_name)) names.push(r.check_name);
      const row = byTs.get(r.ts) ?? { ts: new Date(r.ts) };
      row[r.check_name] = r.latency_ms;
      byTs.set(r.ts, row);
    }
    const seen = new Map<string, CheckRow>();
    for (const c of latest.data ?? []) if (!seen.has(c.check_name)) seen.set(c.check_name, c);
    return {
      series: downsample([...byTs.values()], MAX_POINTS, names),
      names: names.slice(0, 8),
      latest: [...seen.values()],
    };
  }
}

function coreRow(ts: Date, cores: number[]): SeriesRow {
  const row: SeriesRow = { ts };
  cores.slice(0, 16).forEach((v, i) => {
    row[`core${i}`] = v;
  });
  return row;
}
