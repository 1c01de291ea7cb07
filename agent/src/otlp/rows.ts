/**
 * Maps derived route figures to `app_samples` rows (kind "app"; columns service, route and
 * request_count from supabase/migrations/*_add_otlp_columns_to_app_samples.sql).
 */
import { createHash } from 'node:crypto';
import type { QueuedRow } from '../send/rows.ts';
import type { RouteFigures } from './aggregator.ts';

const MAX_CHECK_NAME = 100;

/** The row's check name, "<service> <route>", unique per host even when cut to the column's 100 characters. */
export function appCheckName(service: string, route: string): string {
  const name = `${service} ${route}`;
  if (name.length <= MAX_CHECK_NAME) return name;
  // A hash of the full name keeps two long routes with the same prefix apart.
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_CHECK_NAME - 9)}~${hash}`;
}

/** Health of a route in one interval: down when every request failed, degraded at 5 % errors or more. */
export function appStatus(errorRatePct: number): 'up' | 'degraded' | 'down' {
  return errorRatePct >= 100 ? 'down' : errorRatePct >= 5 ? 'degraded' : 'up';
}

/** One app_samples row per route with requests, all stamped `ts`. */
export function appSampleRows(hostId: string, ts: string, figures: RouteFigures[]): QueuedRow[] {
  return figures.map((f) => {
    // Percentiles must stay ordered (a table constraint); interpolation over merged buckets already is, this guards rounding.
    const p50 = f.p50Ms;
    const p95 = f.p95Ms === null || p50 === null ? f.p95Ms : Math.max(p50, f.p95Ms);
    const p99 = f.p99Ms === null || p95 === null ? f.p99Ms : Math.max(p95, f.p99Ms);
    return {
      table: 'app_samples',
      row: {
        host_id: hostId,
        ts,
        check_name: appCheckName(f.service, f.route),
        kind: 'app',
        status: appStatus(f.errorRatePct),
        latency_ms: f.meanMs,
        latency_p50_ms: p50,
        latency_p95_ms: p95,
        latency_p99_ms: p99,
        throughput_rps: f.throughputRps,
        error_rate: f.errorRatePct,
        service: f.service,
        route: f.route,
        request_count: f.requests,
        detail: { source: f.source, errors: f.errors, window_s: Math.round(f.windowS * 1000) / 1000 },
      },
    };
  });
}
