/** Application services on a host (OTLP rows of app_samples, kind 'app'): latest figures per service and route, and history. */
import { m } from '#lib/paraglide/messages.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database, Tables } from '$shared/database.types.ts';
import { downsample, type SeriesRow } from '#lib/downsample.ts';

/** Figures of one interval, for a route or summed over a service's routes. */
export type AppFigures = Pick<
  Tables<'app_samples'>,
  'ts' | 'request_count' | 'throughput_rps' | 'error_rate' | 'latency_p50_ms' | 'latency_p95_ms' | 'latency_p99_ms'
>;
/** One route's latest figures and its requests over the range. */
export interface RouteFigures extends AppFigures {
  route: string;
  total: number;
}
/** One service: its latest interval over all routes, its top routes, and its history for charts. */
export interface ServiceFigures extends AppFigures {
  service: string;
  total: number;
  routes: RouteFigures[];
  series: SeriesRow[];
}

/** Routes shown per service, busiest first over the range. */
export const TOP_ROUTES = 10;
/** Rows read at most (newest first); a long range with many routes shows its newest part. */
const MAX_ROWS = 5000;
const MAX_POINTS = 400;

/** A selected app_samples row; the query's not('service', 'is', null) makes service a string. */
type Row = AppFigures & Pick<Tables<'app_samples'>, 'route'> & { service: string };

/** Loads the host's services for [from, to); an error is returned as a message that says what failed. */
export async function loadServices(
  sb: SupabaseClient<Database>,
  hostId: string,
  from: Date,
  to: Date,
): Promise<{ services: ServiceFigures[]; error: string | null }> {
  const { data, error } = await sb
    .from('app_samples')
    .select(
      'service, route, ts, request_count, throughput_rps, error_rate, latency_p50_ms, latency_p95_ms, latency_p99_ms',
    )
    .eq('host_id', hostId)
    .eq('kind', 'app')
    .not('service', 'is', null)
    .gte('ts', from.toISOString())
    .lt('ts', to.toISOString())
    .order('ts', { ascending: false })
    .limit(MAX_ROWS);
  if (error) return { services: [], error: m.services_load_failed({ reason: error.message }) };
  return { services: summarise((data ?? []) as Row[]), error: null };
}

/** Groups rows (newest first) into services, sorted by requests over the range. */
export function summarise(rows: Row[]): ServiceFigures[] {
  const byService = new Map<string, Row[]>();
  for (const r of rows) (byService.get(r.service) ?? byService.set(r.service, []).get(r.service)!).push(r);
  const out: ServiceFigures[] = [];
  for (const [service, list] of byService) {
    const routes = new Map<string, RouteFigures>();
    for (const r of list) {
      const name = r.route ?? '(all)';
      const seen = routes.get(name);
      if (seen) seen.total += r.request_count ?? 0;
      else routes.set(name, { ...pick(r), route: name, total: r.request_count ?? 0 });
    }
    const byTs = new Map<string, Row[]>();
    for (const r of list) (byTs.get(r.ts) ?? byTs.set(r.ts, []).get(r.ts)!).push(r);
    const latestTs = list[0]!.ts;
    const series = [...byTs.entries()].reverse().map(([ts, group]) => {
      const c = combine(ts, group);
      return {
        ts: new Date(ts),
        p95: c.latency_p95_ms,
        throughput: c.throughput_rps,
        errors: c.error_rate,
      } as SeriesRow;
    });
    out.push({
      ...combine(latestTs, byTs.get(latestTs)!),
      service,
      total: list.reduce((n, r) => n + (r.request_count ?? 0), 0),
      routes: [...routes.values()].sort((a, b) => b.total - a.total).slice(0, TOP_ROUTES),
      series: downsample(series, MAX_POINTS, ['p95', 'throughput', 'errors']),
    });
  }
  return out.sort((a, b) => b.total - a.total || a.service.localeCompare(b.service));
}

function pick(r: Row): AppFigures {
  return {
    ts: r.ts,
    request_count: r.request_count,
    throughput_rps: r.throughput_rps,
    error_rate: r.error_rate,
    latency_p50_ms: r.latency_p50_ms,
    latency_p95_ms: r.latency_p95_ms,
    latency_p99_ms: r.latency_p99_ms,
  };
}

/**
 * One interval over a service's routes: counts and throughput add up, the error rate is weighted by
 * requests; percentiles cannot be merged exactly, so the slowest route's stands (an upper bound).
 */
function combine(ts: string, group: Row[]): AppFigures {
  const sum = (f: keyof AppFigures) =>
    group.reduce<number | null>((n, r) => (r[f] == null ? n : (n ?? 0) + (r[f] as number)), null);
  const max = (f: keyof AppFigures) =>
    group.reduce<number | null>((n, r) => (r[f] == null ? n : Math.max(n ?? 0, r[f] as number)), null);
  const requests = sum('request_count');
  const errors = group.reduce((n, r) => n + ((r.error_rate ?? 0) * (r.request_count ?? 0)) / 100, 0);
  return {
    ts,
    request_count: requests,
    throughput_rps: sum('throughput_rps'),
    error_rate: requests ? (errors / requests) * 100 : max('error_rate'),
    latency_p50_ms: max('latency_p50_ms'),
    latency_p95_ms: max('latency_p95_ms'),
    latency_p99_ms: max('latency_p99_ms'),
  };
}
