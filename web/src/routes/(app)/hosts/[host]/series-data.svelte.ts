/** A host page's per-mount, per-interface, per-device and per-container history: raw rows up to 6 h, rollups beyond. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { downsample, type SeriesRow } from '#lib/downsample.ts';

/** One chart: its rows (a column per key) and the keys, busiest first. */
export interface KeyedSeries {
  rows: SeriesRow[];
  keys: string[];
}

type Source = 'mount' | 'interface' | 'disk' | 'container';
/** Raw reads: the table, its key column, and the value columns summed into the one plotted. */
const RAW = {
  mount: { table: 'host_mount_samples', key: 'mount', metrics: ['percent'] },
  interface: { table: 'host_interface_samples', key: 'interface', metrics: ['rx_bps', 'tx_bps'] },
  disk: { table: 'host_disk_samples', key: 'device', metrics: ['read_bps', 'write_bps'] },
  container: { table: 'container_samples', key: 'container_id', metrics: ['cpu_percent'] },
} as const;
/** Lines per chart at most; the others are left out (busiest kept). */
const MAX_KEYS = 8;
const MAX_POINTS = 600;
const EMPTY: KeyedSeries = { rows: [], keys: [] };

/** Pivots (ts, key, value) points into chart rows, keeping the `MAX_KEYS` keys with the largest peaks. */
export function pivot(points: { ts: string; key: string; value: number | null }[]): KeyedSeries {
  const byTs = new Map<string, SeriesRow>();
  const peak = new Map<string, number>();
  for (const p of points) {
    const row = byTs.get(p.ts) ?? { ts: new Date(p.ts) };
    row[p.key] = ((row[p.key] as number | null | undefined) ?? 0) + (p.value ?? 0);
    byTs.set(p.ts, row);
    peak.set(p.key, Math.max(peak.get(p.key) ?? 0, row[p.key] as number));
  }
  const keys = [...peak.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_KEYS)
    .map(([k]) => k);
  const rows = [...byTs.values()].sort((a, b) => +a.ts - +b.ts);
  return { rows: downsample(rows, MAX_POINTS, keys), keys };
}

/** Loads and holds the keyed charts of one host for one range. */
export class SeriesData {
  mounts = $state.raw<KeyedSeries>(EMPTY);
  interfaces = $state.raw<KeyedSeries>(EMPTY);
  disks = $state.raw<KeyedSeries>(EMPTY);
  containers = $state.raw<KeyedSeries>(EMPTY);
  /** Container id → name, for the legend. */
  containerNames = $state.raw<Map<string, string>>(new Map());
  error = $state<string | null>(null);
  private loadId = 0;
  private readonly supabase: SupabaseClient<Database>;
  readonly hostId: string;

  constructor(supabase: SupabaseClient<Database>, hostId: string) {
    this.supabase = supabase;
    this.hostId = hostId;
  }

  /** Loads the four charts for [from, to); a newer call supersedes a slower older one. */
  async load(from: Date, to: Date): Promise<void> {
    const id = ++this.loadId;
    const [mounts, interfaces, disks, containers, names] = await Promise.all([
      this.points('mount', from, to),
      this.points('interface', from, to),
      this.points('disk', from, to),
      this.points('container', from, to),
      this.supabase
        .from('container_samples')
        .select('container_id, name')
        .eq('host_id', this.hostId)
        .gte('ts', from.toISOString())
        .lt('ts', to.toISOString())
        .order('ts', { ascending: false })
        .limit(500),
    ]);
    if (id !== this.loadId) return;
    const failed = [mounts, interfaces, disks, containers].find((r) => r.error);
    this.error = failed ? `Cannot load the per-mount and per-interface history: ${failed.error}` : null;
    this.mounts = pivot(mounts.points);
    this.interfaces = pivot(interfaces.points);
    this.disks = pivot(disks.points);
    this.containers = pivot(containers.points);
    const m = new Map<string, string>();
    for (const r of names.data ?? []) if (r.name && !m.has(r.container_id)) m.set(r.container_id, r.name);
    this.containerNames = m;
  }

  /** Raw rows up to 6 h, 1-minute rollups up to 3 days, 1-hour rollups beyond. */
  private async points(
    source: Source,
    from: Date,
    to: Date,
  ): Promise<{ points: { ts: string; key: string; value: number | null }[]; error: string | null }> {
    const span = +to - +from;
    const spec = RAW[source];
    if (span <= 6 * 3_600_000) {
      const { data, error } = await this.supabase
        .from(spec.table)
        .select(['ts', spec.key, ...spec.metrics].join(', '))
        .eq('host_id', this.hostId)
        .gte('ts', from.toISOString())
        .lt('ts', to.toISOString())
        .order('ts')
        .limit(20_000);
      const rows = (data ?? []) as unknown as Record<string, string | number | null>[];
      return {
        points: rows.map((r) => ({
          ts: r.ts as string,
          key: String(r[spec.key]),
          value: spec.metrics.reduce((a, m) => a + ((r[m] as number | null) ?? 0), 0),
        })),
        error: error?.message ?? null,
      };
    }
    const { data, error } = await this.supabase
      .from(span <= 3 * 86_400_000 ? 'host_series_1m' : 'host_series_1h')
      .select('ts:bucket, key, avg')
      .eq('host_id', this.hostId)
      .eq('source', source)
      .in('metric', [...spec.metrics])
      .gte('bucket', from.toISOString())
      .lt('bucket', to.toISOString())
      .order('bucket')
      .limit(20_000);
    return {
      points: (data ?? []).map((r) => ({ ts: r.ts, key: r.key, value: r.avg })),
      error: error?.message ?? null,
    };
  }
}
