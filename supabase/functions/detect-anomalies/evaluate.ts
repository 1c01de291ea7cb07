/**
 * Anomaly decisions for one rule × host, pure: a point is anomalous outside expected ± k·band
 * (k from the rule's sensitivity); the alert fires when the anomalous share of the trigger window
 * reaches the rule's threshold, and resolves once a whole recovery window has no anomalous point.
 */
import type { Baseline } from './robust-stats.ts';

/** Band half-width multipliers by sensitivity (robust z-score limits). */
export const SENSITIVITY_K = Object.freeze({ low: 5, medium: 3.5, high: 2.5 });
/** Windows with fewer points than this decide nothing (a host that just started, a gap). */
export const MIN_POINTS = 3;

/** Sensitivity names. */
export type Sensitivity = keyof typeof SENSITIVITY_K;

/** One point judged against its baseline. */
export interface Judged {
  t: number;
  value: number;
  expected: number;
  low: number;
  high: number;
  score: number;
  anomalous: boolean;
}

/**
 * The band used for judging: the baseline's, but never narrower than 1% of the expected value,
 * so a flat history (MAD 0) does not turn every wiggle into an anomaly.
 */
export function effectiveBand(b: Baseline): number {
  return Math.max(b.band, Math.abs(b.expected) * 0.01, 1e-6);
}

/** Judges one value against a baseline with multiplier k. */
export function judge(t: number, value: number, b: Baseline, k: number): Judged {
  const band = effectiveBand(b);
  const score = Math.abs(value - b.expected) / band;
  return {
    t,
    value,
    expected: b.expected,
    low: b.expected - k * band,
    high: b.expected + k * band,
    score,
    anomalous: score > k,
  };
}

/** What the evaluator needs for one rule × host. */
export interface WindowInput {
  /** [epoch seconds, value], oldest first. */
  points: [number, number][];
  /** The baseline for a point's time (by hour of week), or null when none exists yet. */
  baselineAt: (t: number) => Baseline | null;
  sensitivity: Sensitivity;
  /** Anomalous share (0–1] of the trigger window that fires the alert. */
  threshold: number;
  windowS: number;
  recoveryS: number;
  status: 'ok' | 'firing' | string;
  now: number;
}

/** A state change to record, with the expected band and score of the point that decided it. */
export interface Decision {
  status: 'ok' | 'firing';
  event: 'firing' | 'resolved';
  value: number;
  ts: number;
  expected: number;
  bandLow: number;
  bandHigh: number;
  score: number;
  share: number;
  reason: string;
}

const fmt = (n: number): string => (Math.abs(n) >= 1000 ? String(Math.round(n)) : String(Math.round(n * 100) / 100));

/** Evaluates the windows; null when the state stays as it is. */
export function evaluateWindow(input: WindowInput, metric = 'value'): Decision | null {
  const k = SENSITIVITY_K[input.sensitivity] ?? SENSITIVITY_K.medium;
  const horizon = input.now - Math.max(input.windowS, input.recoveryS);
  const judged: Judged[] = [];
  for (const [t, v] of input.points) {
    if (t <= horizon || t > input.now) continue;
    const b = input.baselineAt(t);
    if (b) judged.push(judge(t, v, b, k));
  }
  const trigger = judged.filter((j) => j.t > input.now - input.windowS);
  const minutes = Math.round(input.windowS / 60);
  if (input.status !== 'firing') {
    if (trigger.length < MIN_POINTS) return null;
    const anomalous = trigger.filter((j) => j.anomalous);
    const share = anomalous.length / trigger.length;
    if (share < input.threshold) return null;
    const worst = anomalous.reduce((a, b) => (b.score > a.score ? b : a));
    return {
      status: 'firing',
      event: 'firing',
      value: worst.value,
      ts: input.now,
      expected: worst.expected,
      bandLow: worst.low,
      bandHigh: worst.high,
      score: worst.score,
      share,
      reason: `${metric} ${fmt(worst.value)} outside expected ${fmt(worst.low)}–${fmt(worst.high)} in ${Math.round(share * 100)}% of the last ${minutes} min (score ${fmt(worst.score)})`,
    };
  }
  const recovery = judged.filter((j) => j.t > input.now - input.recoveryS);
  if (recovery.length < MIN_POINTS || recovery.some((j) => j.anomalous)) return null;
  const last = recovery[recovery.length - 1]!;
  return {
    status: 'ok',
    event: 'resolved',
    value: last.value,
    ts: input.now,
    expected: last.expected,
    bandLow: last.low,
    bandHigh: last.high,
    score: last.score,
    share: 0,
    reason: `${metric} back within expected ${fmt(last.low)}–${fmt(last.high)} for ${Math.round(input.recoveryS / 60)} min`,
  };
}
