/** One detect-anomalies run: refresh stale baselines, evaluate every anomaly rule × host, record changes. */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database, Json } from '../_shared/database.types.ts';
import { evaluateWindow, type Sensitivity } from './evaluate.ts';
import { hourOfWeek, type Baseline } from './robust-stats.ts';

/** One element of public.anomaly_inputs. */
interface InputRow {
  rule_id: string;
  host_id: string;
  metric: string;
  sensitivity: Sensitivity;
  threshold: number;
  window_s: number;
  recovery_s: number;
  status: string;
  baselines: Record<string, [number, number, number]>;
  points: [number, number][];
}

/** What a run did, with timings in milliseconds. */
export interface DetectReport {
  at: string;
  baselinesRefreshed: number;
  evaluated: number;
  events: number;
  ms: { refresh: number; read: number; evaluate: number; write: number; total: number };
}

function baselineLookup(raw: Record<string, [number, number, number]>): (t: number) => Baseline | null {
  const table = new Map<number, Baseline>();
  for (const [how, [expected, band, samples]] of Object.entries(raw))
    table.set(Number(how), { expected, band, samples });
  // A point from the previous hour whose baseline was never computed uses the current one.
  const any = table.values().next().value ?? null;
  return (t) => table.get(hourOfWeek(t)) ?? any;
}

/** Runs detection as of `at` (default now); `admin` is a service-role client. */
export async function detectAnomalies(admin: SupabaseClient<Database>, at = new Date()): Promise<DetectReport> {
  const t0 = performance.now();
  const refreshed = await admin.rpc('refresh_anomaly_baselines', { p_max_age: '1 hour', p_at: at.toISOString() });
  if (refreshed.error) throw new Error(`Cannot refresh anomaly baselines: ${refreshed.error.message}`);
  const t1 = performance.now();
  const inputs = await admin.rpc('anomaly_inputs', { p_at: at.toISOString() });
  if (inputs.error) throw new Error(`Cannot read anomaly inputs: ${inputs.error.message}`);
  const t2 = performance.now();
  const now = at.getTime() / 1000;
  const results: Json[] = [];
  const rows = (inputs.data ?? []) as unknown as InputRow[]; // jsonb: Json in the generated types
  for (const row of rows) {
    const d = evaluateWindow(
      {
        points: row.points,
        baselineAt: baselineLookup(row.baselines),
        sensitivity: row.sensitivity,
        threshold: row.threshold,
        windowS: row.window_s,
        recoveryS: row.recovery_s,
        status: row.status,
        now,
      },
      row.metric,
    );
    if (!d) continue;
    results.push({
      rule_id: row.rule_id,
      host_id: row.host_id,
      status: d.status,
      event: d.event,
      value: d.value,
      ts: new Date(d.ts * 1000).toISOString(),
      expected: d.expected,
      band_low: d.bandLow,
      band_high: d.bandHigh,
      score: d.score,
      reason: d.reason,
    });
  }
  const t3 = performance.now();
  if (results.length > 0) {
    const applied = await admin.rpc('apply_anomaly_results', { p_results: results });
    if (applied.error) throw new Error(`Cannot record anomaly results: ${applied.error.message}`);
  }
  const t4 = performance.now();
  return {
    at: at.toISOString(),
    baselinesRefreshed: Number(refreshed.data ?? 0),
    evaluated: rows.length,
    events: results.length,
    ms: { refresh: t1 - t0, read: t2 - t1, evaluate: t3 - t2, write: t4 - t3, total: t4 - t0 },
  };
}
