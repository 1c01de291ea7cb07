/**
 * Alert latency: a breaching sample inserted (one statement, as an agent sends it) to the webhook
 * received by a local receiver, through the ingest trigger, the outbox, pg_net and
 * dispatch-notifications (group wait included), p50 and p95 over 100 alerts. Baseline in the same
 * process: a bare pg_net request (net.http_post committed → received), the floor of any DB-driven delivery.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const ALERTS = Number(process.env.BENCH_ALERTS ?? 100);
// The local receiver stands in for the outside webhook (http on 127.0.0.1, allowed for this run only).
process.env.VIBE_ALLOWED_DEV_HOSTS = '127.0.0.1';

const arrivals = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const path = req.url ?? '';
    if (path.startsWith('/hook')) {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: { host: { id: string } }[] };
      for (const a of body.alerts) arrivals.set(a.host.id, at);
    } else arrivals.set(path, at);
    res.end('{}');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

async function arrival(key: string, timeoutMs = 15_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (!arrivals.has(key)) {
    if (Date.now() > end) throw new Error(`Nothing arrived for ${key} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return arrivals.get(key)!;
}

const stack = await freshStack();
const db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
try {
  const team = (await db.query<{ id: string }>(`insert into teams (name) values ('bench-alerts') returning id`))
    .rows[0]!.id;
  const channel = (
    await db.query<{ id: string }>(
      `insert into channels (team_id, name, kind) values ($1, 'bench', 'webhook') returning id`,
      [team],
    )
  ).rows[0]!.id;
  await db.query(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
    channel,
    team,
    { url: `${base}/hook`, secret: 'bench-secret' },
  ]);
  await db.query(
    `insert into alert_rules (team_id, name, metric, operator, threshold, severity, channel_ids) values ($1, 'cpu', 'cpu_total', '>', 90, 'critical', $2)`,
    [team, [channel]],
  );
  const hosts = (
    await db.query<{ id: string }>(
      `insert into hosts (team_id, name) select $1, 'h' || g from generate_series(0, $2) g returning id`,
      [team, ALERTS],
    )
  ).rows.map((r) => r.id);

  async function fire(hostId: string): Promise<number> {
    const t0 = performance.now();
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now(), 97)`, [hostId]);
    return (await arrival(hostId, 60_000)) - t0;
  }

  await fire(hosts[ALERTS]!); // warm-up: boots the function's Deno worker
  const latencies: number[] = [];
  for (let i = 0; i < ALERTS; i++) {
    latencies.push(await fire(hosts[i]!));
    await new Promise((r) => setTimeout(r, 20));
  }

  const floor: number[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const t0 = performance.now();
    await db.query(`select net.http_post($1, '{}'::jsonb)`, [`${base}/raw/${i}`]);
    floor.push((await arrival(`/raw/${i}`)) - t0);
  }

  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  const floor50 = percentile(floor, 50);
  report([
    {
      figure: 'Alert latency, breaching sample → webhook received, p50 (ms)',
      value: p50,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 6,
    },
    {
      figure: 'Alert latency, breaching sample → webhook received, p95 (ms)',
      value: p95,
      unit: 'ms',
      goal: '< 1000',
      met: p95 < 1000,
      issue: 6,
    },
    {
      figure: 'Bare pg_net request commit → received, p50 (ms, baseline)',
      value: floor50,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 6,
    },
    {
      figure: 'Alert latency p50 / bare pg_net p50 (ratio)',
      value: p50 / floor50,
      unit: 'x',
      goal: '',
      met: null,
      issue: 6,
    },
  ]);
} finally {
  await db.end();
  await stack.stop();
  receiver.close();
}
