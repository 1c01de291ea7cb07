/**
 * Rules on every source (issue 15):
 *  1. Alert latency for an application rule: a breaching app sample (error rate, one statement as the
 *     agent sends it) → webhook received by a local receiver, p50/p95 over 100 alerts, through the
 *     app_samples ingest trigger, the outbox, pg_net and dispatch-notifications.
 *  2. Ingest cost with 100 threshold rules per team across all sources (host 40, app 25, check 10,
 *     db 25; none breached, the steady state) against a team without rules, in the same run and
 *     interleaved: 1,000-row batches (100 hosts × 10 routes/databases/timestamps) and the agents'
 *     2-row batches (one host, two series), for host_samples, app_samples (RED and checks) and db_samples.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 100);
const BIG_ROUNDS = Number(process.env.BENCH_BIG_ROUNDS ?? 15);
const SMALL_ROUNDS = Number(process.env.BENCH_SMALL_ROUNDS ?? 150);
process.env.VIBE_ALLOWED_DEV_HOSTS = '127.0.0.1';

const arrivals = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: { host: { id: string } }[] };
    for (const a of body.alerts) arrivals.set(a.host.id, at);
    res.end('{}');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

async function arrival(key: string, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (!arrivals.has(key)) {
    if (Date.now() > end) throw new Error(`Nothing arrived for ${key} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return arrivals.get(key)!;
}

const stack = await freshStack();
const db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
const q = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
  (await db.query<R>(sql, params)).rows;

/** A team without any rule (its default rules removed) and `hosts` hosts. */
async function team(name: string, hosts: number): Promise<{ id: string; hosts: string[] }> {
  const id = (await q<{ id: string }>(`insert into teams (name) values ($1) returning id`, [name]))[0]!.id;
  await q(`delete from alert_rules where team_id = $1`, [id]);
  const h = await q<{ id: string }>(
    `insert into hosts (team_id, name) select $1, $2 || g from generate_series(1, $3) g returning id`,
    [id, name, hosts],
  );
  return { id, hosts: h.map((r) => r.id) };
}

try {
  // 1. Latency ---------------------------------------------------------------------------------
  const lat = await team('bench-app-alerts', ALERTS + 1);
  const channel = (
    await q<{ id: string }>(`insert into channels (team_id, name, kind) values ($1, 'bench', 'webhook') returning id`, [
      lat.id,
    ])
  )[0]!.id;
  await q(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
    channel,
    lat.id,
    { url: `${base}/hook`, secret: 'bench-secret' },
  ]);
  await q(
    `insert into alert_rules (team_id, name, source, metric, operator, threshold, severity, channel_ids)
     values ($1, 'errors', 'app', 'error_rate', '>', 5, 'critical', $2)`,
    [lat.id, [channel]],
  );
  async function fire(hostId: string): Promise<number> {
    const t0 = performance.now();
    await q(
      `insert into app_samples (host_id, ts, check_name, kind, status, service, route, error_rate, latency_p50_ms, latency_p95_ms, latency_p99_ms, throughput_rps)
       values ($1, now(), 'api GET /pay', 'app', 'degraded', 'api', 'GET /pay', 42, 10, 50, 90, 12)`,
      [hostId],
    );
    return (await arrival(hostId, 60_000)) - t0;
  }
  // Baseline in the same run: the same path for a host rule (CPU sample), as bench/src/alerts.bench.ts.
  const hostLat = await team('bench-host-alerts', ALERTS);
  const hostChannel = (
    await q<{ id: string }>(`insert into channels (team_id, name, kind) values ($1, 'bench', 'webhook') returning id`, [
      hostLat.id,
    ])
  )[0]!.id;
  await q(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
    hostChannel,
    hostLat.id,
    { url: `${base}/hook`, secret: 'bench-secret' },
  ]);
  await q(
    `insert into alert_rules (team_id, name, metric, operator, threshold, severity, channel_ids)
     values ($1, 'cpu', 'cpu_total', '>', 90, 'critical', $2)`,
    [hostLat.id, [hostChannel]],
  );
  async function fireHost(hostId: string): Promise<number> {
    const t0 = performance.now();
    await q(`insert into host_samples (host_id, ts, cpu_total) values ($1, now(), 97)`, [hostId]);
    return (await arrival(hostId, 60_000)) - t0;
  }
  await fire(lat.hosts[ALERTS]!); // warm-up: boots the function's Deno worker
  const latencies: number[] = [];
  const hostLatencies: number[] = [];
  // Interleaved, so load on the machine hits both alike.
  for (let i = 0; i < ALERTS; i++) {
    latencies.push(await fire(lat.hosts[i]!));
    await new Promise((r) => setTimeout(r, 20));
    hostLatencies.push(await fireHost(hostLat.hosts[i]!));
    await new Promise((r) => setTimeout(r, 20));
  }

  // 2. Ingest cost -----------------------------------------------------------------------------
  const bare = await team('bench-no-rules', 100);
  const ruled = await team('bench-100-rules', 100);
  await q(
    `insert into alert_rules (team_id, name, source, metric, operator, threshold, series_match)
     select $1::uuid, 'host ' || g, 'host', (array['cpu_total','mem_percent','disk_percent','load_1','net_rx_bps','cpu_iowait','swap_percent','temp_c'])[g % 8 + 1], '>', 1e12, '{}'::jsonb from generate_series(1, 40) g
     union all
     select $1::uuid, 'app ' || g, 'app', (array['error_rate','latency_p50_ms','latency_p95_ms','latency_p99_ms','throughput_rps'])[g % 5 + 1], '>', 1e12,
       case when g % 5 = 0 then jsonb_build_object('service', 'svc' || g) else '{}'::jsonb end from generate_series(1, 25) g
     union all
     select $1::uuid, 'check ' || g, 'check', (array['check_down','latency_ms','tls_days_left'])[g % 3 + 1],
       case when g % 3 = 2 then '<' else '>' end, case when g % 3 = 2 then -1 else 1e12 end, '{}'::jsonb from generate_series(1, 10) g
     union all
     select $1::uuid, 'db ' || g, 'db', (array['connections_used_pct','cache_hit_ratio','replication_lag_s','deadlocks','rollback_rate'])[g % 5 + 1], '>', 1e12,
       case when g % 5 = 0 then jsonb_build_object('db', 'db' || g) else '{}'::jsonb end from generate_series(1, 25) g`,
    [ruled.id],
  );
  let clock = Date.now() - 3 * 3_600_000;
  const tick = () => new Date((clock += 1000)).toISOString();
  type Rows = Record<string, unknown>[];
  const batches: Record<string, (hosts: string[], perHost: number) => { table: string; rows: Rows }> = {
    host_samples: (hosts, n) => {
      const rows: Rows = [];
      for (let i = 0; i < n; i++) {
        const ts = tick();
        for (const h of hosts)
          rows.push({
            host_id: h,
            ts,
            cpu_total: 20,
            mem_total: 100,
            mem_used: 40,
            disk_total: 100,
            disk_used: 50,
            load_1: 0.5,
          });
      }
      return { table: 'host_samples', rows };
    },
    'app_samples (RED)': (hosts, n) => {
      const ts = tick();
      return {
        table: 'app_samples',
        rows: hosts.flatMap((h) =>
          Array.from({ length: n }, (_, i) => ({
            host_id: h,
            ts,
            check_name: `api GET /r${i}`,
            kind: 'app',
            status: 'up',
            service: 'api',
            route: `GET /r${i}`,
            error_rate: 0.5,
            latency_p50_ms: 5,
            latency_p95_ms: 20,
            latency_p99_ms: 40,
            throughput_rps: 10,
            request_count: 100,
          })),
        ),
      };
    },
    'app_samples (checks)': (hosts, n) => {
      const ts = tick();
      return {
        table: 'app_samples',
        rows: hosts.flatMap((h) =>
          Array.from({ length: n }, (_, i) => ({
            host_id: h,
            ts,
            check_name: `check ${i}`,
            kind: 'http',
            status: 'up',
            status_code: 200,
            latency_ms: 30,
            detail: { tls_days_left: 80 },
          })),
        ),
      };
    },
    db_samples: (hosts, n) => {
      const ts = tick();
      return {
        table: 'db_samples',
        rows: hosts.flatMap((h) =>
          Array.from({ length: n }, (_, i) => ({
            host_id: h,
            ts,
            db_name: `db${i}`,
            connections_total: 10,
            max_connections: 100,
            cache_hit_ratio: 99,
            replication_lag_s: 0,
            deadlocks: 0,
            xact_rollback_rate: 0,
            xact_commit_rate: 5,
          })),
        ),
      };
    },
  };
  async function timeInsert(b: { table: string; rows: Rows }): Promise<number> {
    const c = await db.connect();
    try {
      const t0 = performance.now();
      // Only the columns given (generated columns such as mem_percent cannot be written).
      const cols = Object.keys(b.rows[0]!).join(', ');
      await c.query(
        `insert into public.${b.table} (${cols}) select ${cols} from jsonb_populate_recordset(null::public.${b.table}, $1)`,
        [JSON.stringify(b.rows)],
      );
      return performance.now() - t0;
    } finally {
      c.release();
    }
  }
  const results: Parameters<typeof report>[0] = [];
  for (const [name, make] of Object.entries(batches)) {
    for (const [label, rounds, hostsOf, perHost] of [
      ['1,000-row', BIG_ROUNDS, (t: { hosts: string[] }) => t.hosts, 10],
      ['2-row', SMALL_ROUNDS, (t: { hosts: string[] }) => t.hosts.slice(0, 1), 2],
    ] as const) {
      const none: number[] = [];
      const some: number[] = [];
      // Warm-up, then alternate which team goes first so drift and caching hit both alike.
      await timeInsert(make(hostsOf(bare), perHost));
      await timeInsert(make(hostsOf(ruled), perHost));
      for (let i = 0; i < rounds; i++) {
        const a = make(hostsOf(bare), perHost);
        const b = make(hostsOf(ruled), perHost);
        if (i % 2) {
          none.push(await timeInsert(a));
          some.push(await timeInsert(b));
        } else {
          some.push(await timeInsert(b));
          none.push(await timeInsert(a));
        }
      }
      const ratio = percentile(some, 50) / percentile(none, 50);
      console.log(
        `${name} ${label}: no rules p50 ${percentile(none, 50).toFixed(2)} ms, 100 rules p50 ${percentile(some, 50).toFixed(2)} ms (p95 ${percentile(none, 95).toFixed(2)} / ${percentile(some, 95).toFixed(2)})`,
      );
      results.push({
        figure: `Ingest ${name}, ${label} batch, 100 rules per team vs none (p50 ratio)`,
        value: ratio,
        unit: 'x',
        goal: '≤ 1.3',
        met: ratio <= 1.3,
        issue: 15,
      });
    }
  }
  const p95 = percentile(latencies, 95);
  report([
    {
      figure: 'App rule alert latency, error-rate sample → webhook received, p50 (ms)',
      value: percentile(latencies, 50),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 15,
    },
    {
      figure: 'App rule alert latency, error-rate sample → webhook received, p95 (ms)',
      value: p95,
      unit: 'ms',
      goal: '< 1000',
      met: p95 < 1000,
      issue: 15,
    },
    {
      figure: 'Host rule alert latency in the same run (baseline), p50 (ms)',
      value: percentile(hostLatencies, 50),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 15,
    },
    {
      figure: 'Host rule alert latency in the same run (baseline), p95 (ms)',
      value: percentile(hostLatencies, 95),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 15,
    },
    ...results,
  ]);
} finally {
  await db.end();
  await stack.stop();
  receiver.close();
}
