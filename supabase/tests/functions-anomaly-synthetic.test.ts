/**
 * Anomaly detection on synthetic series, through the same pure code detect-anomalies runs
 * (robust-stats.ts baselines refreshed hourly, evaluate.ts decisions every minute): a daily cycle
 * with an injected spike, a level shift, a slow drift, pure noise, and a spike with only two days of
 * history (rolling 24 h baseline). Precision and recall per case are printed (alert level and point level).
 */
import { describe, expect, it } from 'vitest';
import { evaluateWindow, judge, SENSITIVITY_K } from '../functions/detect-anomalies/evaluate.ts';
import {
  baselineFromHistory,
  median,
  mad,
  robustBaseline,
  type Baseline,
} from '../functions/detect-anomalies/robust-stats.ts';

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
const WEEK = 7 * DAY;
const END = Date.UTC(2026, 10, 20, 0, 0, 0) / 1000;

/** Deterministic normal noise (mulberry32 + Box-Muller). */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

interface Case {
  name: string;
  historyS: number;
  evalS: number;
  value: (t: number, noise: number) => number;
  /** Ground-truth anomaly intervals [from, to). */
  truth: [number, number][];
  noiseSigma: number;
}

const daily = (t: number) => 50 + 20 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
const evalStart = (c: { evalS: number }) => END - c.evalS;

const spikeAt = END - DAY + 7 * HOUR;
const shiftAt = END - DAY - 12 * HOUR;
const shortSpike = END - 6 * HOUR;
const CASES: Case[] = [
  {
    name: 'daily cycle + spike',
    historyS: 5 * WEEK,
    evalS: 2 * DAY,
    noiseSigma: 2,
    value: (t, n) => daily(t) + 2 * n + (t >= spikeAt && t < spikeAt + 20 * MIN ? 35 : 0),
    truth: [[spikeAt, spikeAt + 20 * MIN]],
  },
  {
    name: 'level shift',
    historyS: 5 * WEEK,
    evalS: 2 * DAY,
    noiseSigma: 2,
    value: (t, n) => daily(t) + 2 * n + (t >= shiftAt ? 20 : 0),
    truth: [[shiftAt, END]],
  },
  {
    // +10 over the last three weeks (≈ 0.02 per hour): not an incident. The seasonal median lags
    // the drift, so near the top of the daily cycle a few short alerts may fire; at most two are allowed.
    name: 'slow drift',
    historyS: 5 * WEEK,
    evalS: 2 * DAY,
    noiseSigma: 2,
    value: (t, n) => daily(t) + 2 * n + Math.max(0, ((t - (END - 3 * WEEK)) / (3 * WEEK)) * 10),
    truth: [],
  },
  { name: 'pure noise', historyS: 5 * WEEK, evalS: 2 * DAY, noiseSigma: 3, value: (_t, n) => 50 + 3 * n, truth: [] },
  {
    name: 'spike, 2 days of history',
    historyS: 2 * DAY,
    evalS: DAY,
    noiseSigma: 2,
    value: (t, n) => 40 + 2 * n + (t >= shortSpike && t < shortSpike + 15 * MIN ? 25 : 0),
    truth: [[shortSpike, shortSpike + 15 * MIN]],
  },
];

interface Outcome {
  alerts: [number, number][];
  pointTp: number;
  pointFp: number;
  pointFn: number;
}

/** Replays a case minute by minute as detect-anomalies would see it. */
function simulate(c: Case, seed: number): Outcome {
  const noise = gaussian(seed);
  const series: [number, number][] = [];
  for (let t = END - c.historyS; t < END; t += MIN) series.push([t, c.value(t, noise())]);
  const inTruth = (t: number) => c.truth.some(([a, b]) => t >= a && t < b);
  const start = evalStart(c);
  const k = SENSITIVITY_K.medium;
  const baselines = new Map<number, Baseline | null>();
  const baselineAt = (t: number) => {
    const hour = Math.floor(t / HOUR) * HOUR;
    if (!baselines.has(hour)) baselines.set(hour, baselineFromHistory(series, hour)); // refreshed hourly
    return baselines.get(hour) ?? null;
  };
  const out: Outcome = { alerts: [], pointTp: 0, pointFp: 0, pointFn: 0 };
  let status: 'ok' | 'firing' = 'ok';
  let firedAt = 0;
  let i = series.findIndex(([t]) => t >= start);
  for (; i < series.length; i++) {
    const [t, v] = series[i]!;
    const b = baselineAt(t);
    if (b) {
      const j = judge(t, v, b, k);
      if (j.anomalous && inTruth(t)) out.pointTp++;
      else if (j.anomalous) out.pointFp++;
      else if (inTruth(t)) out.pointFn++;
    }
    const now = t + 1;
    const d = evaluateWindow({
      points: series.slice(Math.max(0, i - 12), i + 1),
      baselineAt,
      sensitivity: 'medium',
      threshold: 0.5,
      windowS: 5 * MIN,
      recoveryS: 5 * MIN,
      status,
      now,
    });
    if (d?.event === 'firing') {
      status = 'firing';
      firedAt = now;
    } else if (d?.event === 'resolved') {
      status = 'ok';
      out.alerts.push([firedAt, now]);
    }
  }
  if (status === 'firing') out.alerts.push([firedAt, END]);
  return out;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const show = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));

describe('anomaly detection on synthetic series', () => {
  it('computes median and MAD like percentile_cont', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(robustBaseline([10, 10, 10, 11, 1000])).toEqual({ expected: 10, band: 0, samples: 5 });
  });

  it('uses the hour of week over five weeks with three weeks of history, else the last 24 hours', () => {
    const weekly: [number, number][] = [];
    for (let t = END - 4 * WEEK; t < END; t += HOUR) weekly.push([t, (t - END) % WEEK === 0 ? 100 : 1]);
    // Only the same hour of week (value 100) counts for a seasonal baseline at END.
    expect(baselineFromHistory(weekly, END)).toEqual({ expected: 100, band: 0, samples: 4 });
    const short = weekly.filter(([t]) => t >= END - 2 * WEEK);
    expect(baselineFromHistory(short, END)).toEqual({ expected: 1, band: 0, samples: 24 });
  });

  const rows: Record<string, string | number>[] = [];
  for (const [n, c] of CASES.entries()) {
    it(`${c.name}: precision and recall`, () => {
      const o = simulate(c, 1234 + n);
      const tpAlerts = o.alerts.filter(([a, b]) => c.truth.some(([x, y]) => a < y + 10 * MIN && b > x)).length;
      const caught = c.truth.filter(([x, y]) => o.alerts.some(([a, b]) => a < y + 10 * MIN && b > x)).length;
      const precision = ratio(tpAlerts, o.alerts.length);
      const recall = ratio(caught, c.truth.length);
      const delays = c.truth.map(([x]) => Math.min(...o.alerts.filter(([a]) => a >= x).map(([a]) => a - x)) / MIN);
      rows.push({
        case: c.name,
        alerts: o.alerts.length,
        precision: show(precision),
        recall: show(recall),
        'point precision': show(ratio(o.pointTp, o.pointTp + o.pointFp)),
        'point recall': show(ratio(o.pointTp, o.pointTp + o.pointFn)),
        'false points': o.pointFp,
        'delay (min)': delays.length ? delays.map((d) => d.toFixed(1)).join(',') : 'n/a',
      });
      if (c.truth.length > 0) {
        expect(recall).toBe(1);
        expect(precision).toBe(1);
        expect(Math.max(...delays)).toBeLessThanOrEqual(5);
      } else if (c.name === 'slow drift') {
        expect(o.alerts.length).toBeLessThanOrEqual(2);
        for (const [a, b] of o.alerts) expect(b - a).toBeLessThanOrEqual(15 * MIN);
      } else {
        expect(o.alerts).toEqual([]);
      }
    });
  }

  it('reports the table', () => {
    console.log(`anomaly detection, sensitivity medium (k = ${SENSITIVITY_K.medium}), threshold 50% of 5 min:`);
    console.table(rows);
    expect(rows).toHaveLength(CASES.length);
  });
});
