/**
 * Robust statistics for anomaly baselines: median, MAD, and the baseline of a history (the
 * reference for public.refresh_anomaly_baselines, which computes the same in SQL). Pure; no imports.
 */

/** Expected value and band (1.4826·MAD, a standard deviation for normal data) over `samples` values. */
export interface Baseline {
  expected: number;
  band: number;
  samples: number;
}

/** MAD → standard deviation for normally distributed data. */
export const MAD_SCALE = 1.4826;
const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** Median by linear interpolation (as percentile_cont(0.5)); NaN for no values. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const mid = (s.length - 1) / 2;
  const lo = s[Math.floor(mid)]!;
  const hi = s[Math.ceil(mid)]!;
  return lo + (hi - lo) * (mid - Math.floor(mid));
}

/** Median absolute deviation from the median. */
export function mad(values: number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/** Baseline of a set of values, or null when there are none. */
export function robustBaseline(values: number[]): Baseline | null {
  if (values.length === 0) return null;
  const m = median(values);
  return { expected: m, band: MAD_SCALE * mad(values, m), samples: values.length };
}

/** Hour of the week in UTC for epoch seconds: 0 = Monday 00:00 … 167. */
export function hourOfWeek(epochS: number): number {
  const d = new Date(epochS * 1000);
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}

/**
 * The baseline for time `at` from minute values [epochS, value] (oldest first): with three weeks of
 * history, the values in the same hour of the week over the last five weeks; else the last 24 hours.
 */
export function baselineFromHistory(history: [number, number][], at: number): Baseline | null {
  const seasonal = history.length > 0 && history[0]![0] <= at - 3 * WEEK;
  const how = hourOfWeek(at);
  const from = at - (seasonal ? 5 * WEEK : DAY);
  const values: number[] = [];
  for (const [t, v] of history) {
    if (t < from || t >= at) continue;
    if (seasonal && hourOfWeek(t) !== how) continue;
    values.push(v);
  }
  return robustBaseline(values);
}
