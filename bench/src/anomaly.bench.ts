/**
 * Anomaly detection time: one detect-anomalies run (through /functions/v1, baselines fresh) over
 * 1,000 hosts × 10 metrics divided by the same over 100 hosts × 10 metrics (goal ≈ 10: linear).
 * Every host has 5 minutes of samples every 10 s and a baseline per metric; 5% of hosts spike, so
 * firing and resolved events are written every run. Each size: median of 3 runs after one warm-up,
 * each run at its own past `at` 40 minutes after the previous one.
 */
import pg from 'pg';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const METRICS = [
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
];
const SMALL = 100;
const LARGE = Number(process.env.BENCH_ANOMALY_HOSTS ?? 1000);
const RUNS = 3;

const stack = await freshStack();
const db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });

async function detect(at: Date): Promise<{ ms: number; evaluated: number; events: number; inner: number }> {
  const t0 = performance.now();
  const res = await fetch(`${stack.env.SUPABASE_URL}/functions/v1/detect-anomalies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack.env.SUPABASE_SERVICE_ROLE_KEY}` },
    body: JSON.stringify({ at: at.toISOString() }),
  });
  const body = (await res.json()) as {
    evaluated: number;
    events: number;
    ms: Record<string, number>;
    message?: string;
  };
  if (res.status !== 200) throw new Error(`detect-anomalies answered ${res.status}: ${body.message}`);
  if (process.env.BENCH_VERBOSE)
    process.stdout.write(
      `  ${body.evaluated} pairs: ${Object.entries(body.ms)
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')} ms\n`,
    );
  return { ms: performance.now() - t0, evaluated: body.evaluated, events: body.events, inner: body.ms.total! };
}

/** Adds hosts with baselines; samples are written per run (5 minutes before that run's `at`). */
async function addHosts(team: string, n: number, offset: number): Promise<string[]> {
  const ids = (
    await db.query<{ id: string }>(
      `insert into hosts (team_id, name) select $1, 'a' || g from generate_series($2::int, $3::int) g returning id`,
      [team, offset, offset + n - 1],
    )
  ).rows.map((r) => r.id);
  await db.query(
    `insert into anomaly_baselines (host_id, team_id, metric, hour_of_week, expected, band, samples, updated_at)
     select h, $2, m, how, 40, 4, 300, now() from unnest($1::uuid[]) h, unnest($3::text[]) m, generate_series(0, 167) how`,
    [ids, team, METRICS],
  );
  return ids;
}

/** 30 samples per host in the 5 minutes before `at`; every 20th host (a different set each run) spikes in its last 3 minutes. */
async function writeSamples(ids: string[], at: Date, shift: number): Promise<void> {
  for (let i = 0; i < ids.length; i += 200) {
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total, cpu_iowait, load_1, mem_total, mem_used, swap_total, swap_used, disk_total, disk_used,
         disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps)
       select h, $2::timestamptz - make_interval(secs => s * 10), v, v / 10, v / 10, 100, v, 100, v, 100, v, v, v, v, v
       from unnest($1::uuid[]) with ordinality as x(h, n), generate_series(0, 29) s,
         lateral (select case when (n + $3) % 20 = 0 and s < 18 then 99 else 40 + (s % 3) end::real as v) val`,
      [ids.slice(i, i + 200), at, shift],
    );
  }
}

try {
  const team = (await db.query<{ id: string }>(`insert into teams (name) values ('bench-anomaly') returning id`))
    .rows[0]!.id;
  await db.query(
    `insert into alert_rules (team_id, name, kind, metric, threshold, sensitivity) select $1, 'anomaly ' || m, 'anomaly', m, 0.5, 'medium' from unnest($2::text[]) m`,
    [team, METRICS],
  );
  const hosts = await addHosts(team, SMALL, 0);
  // Runs are spaced 40 minutes apart in the past, so each sees only its own five minutes.
  let clock = Date.now() - 6 * 24 * 3600_000;
  async function measure(
    ids: string[],
  ): Promise<{ times: number[]; evaluated: number; events: number; inner: number[] }> {
    const times: number[] = [];
    const inner: number[] = [];
    let evaluated = 0;
    let events = 0;
    for (let r = 0; r <= RUNS; r++) {
      clock += 40 * 60_000;
      const at = new Date(clock);
      await writeSamples(ids, at, r);
      const out = await detect(at);
      if (r === 0) continue; // warm-up
      times.push(out.ms);
      inner.push(out.inner);
      evaluated = out.evaluated;
      events = out.events;
    }
    return { times, evaluated, events, inner };
  }
  const small = await measure(hosts);
  hosts.push(...(await addHosts(team, LARGE - SMALL, SMALL)));
  const large = await measure(hosts);
  const s = percentile(small.times, 50);
  const l = percentile(large.times, 50);
  process.stdout.write(
    `${SMALL} hosts: ${small.evaluated} rule × host pairs, ${small.events} events/run, ${s.toFixed(0)} ms (inside the function ${percentile(small.inner, 50).toFixed(0)} ms)\n`,
  );
  process.stdout.write(
    `${LARGE} hosts: ${large.evaluated} rule × host pairs, ${large.events} events/run, ${l.toFixed(0)} ms (inside the function ${percentile(large.inner, 50).toFixed(0)} ms)\n`,
  );
  if (small.evaluated !== SMALL * METRICS.length || large.evaluated !== LARGE * METRICS.length)
    throw new Error('detect-anomalies did not evaluate every rule × host pair');
  const ratio = l / s;
  report([
    {
      figure: `Anomaly detection, ${SMALL} hosts × 10 metrics (ms, baseline)`,
      value: s,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 6,
    },
    {
      figure: `Anomaly detection, ${LARGE} hosts × 10 metrics (ms)`,
      value: l,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 6,
    },
    {
      figure: `Anomaly detection time ${LARGE} / ${SMALL} hosts (ratio)`,
      value: ratio,
      unit: 'x',
      goal: '≈ 10 (≤ 12)',
      met: ratio <= 12,
      issue: 6,
    },
  ]);
} finally {
  await db.end();
  await stack.stop();
}
