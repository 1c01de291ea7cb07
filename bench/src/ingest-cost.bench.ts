/**
 * Per-statement ingest cost (issue 17): agent-shaped inserts (2 rows, the agent's JWT, RLS, on conflict
 * do nothing) at 32 in flight, and 1,000-row batches at 4 in flight, three ways in one run:
 *   rest:         POST /rest/v1/host_samples through the gateway (what agents do);
 *   direct:       the same transaction the REST layer runs (begin, set_config of role and claims, the
 *                 insert from json_populate_recordset, commit) sent straight to Postgres on 32 connections;
 *   triggers off: direct with the table's user triggers disabled (RLS still on) — the floor.
 * Modes alternate over VIBE_INGEST_ROUNDS rounds (default 5) and the medians are compared, so a noisy
 * machine moves all three alike. Goals: triggers on / off ≤ 1.3×; REST / direct ≥ 0.9 (throughput).
 */
import pg from 'pg';
import { createTeamRow } from '../../testkit/src/provision.ts';
import { startStackProcess } from '../../testkit/src/stack-process.ts';
import { percentile, report, type BenchResult } from './harness.ts';
import { ingestUrl, keepAliveAgent, postJson, provisionFleet, type FleetAgent } from './load/fleet.ts';
import { sampleRow } from './load/simulated-agent.ts';

const ROUNDS = Number(process.env.VIBE_INGEST_ROUNDS ?? 5);
const HOSTS = 64;
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const stack = await startStackProcess();
const env = stack.env;
const admin = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2 });
const direct = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 32 });
const http = keepAliveAgent(64);
const restUrl = ingestUrl(env.SUPABASE_URL!);

type Mode = 'rest' | 'direct' | 'off';
interface Shape {
  name: string;
  rows: number;
  inflight: number;
  requests: number;
}
const shapes: Shape[] = [
  { name: '2-row', rows: 2, inflight: 32, requests: 1500 },
  // Bulk loads (imports, backfills) carry no per-sample detail.
  { name: '1,000-row', rows: 1000, inflight: 4, requests: 20 },
];

try {
  const teamId = await createTeamRow(admin, 'ingest-cost');
  const fleet: FleetAgent[] = await provisionFleet(admin, env.SUPABASE_JWT_SECRET!, teamId, HOSTS, 'ingest');
  const claims = new Map<string, string>(
    fleet.map((a) => [a.hostId, Buffer.from(a.token.split('.')[1]!, 'base64url').toString()]),
  );
  // Rule evaluation has work to do, as on a real team: one CPU rule over every host.
  await admin.query(
    `insert into public.alert_rules (team_id, name, metric, operator, threshold, severity, scope)
     values ($1, 'CPU high', 'cpu_total', '>', 95, 'warning', 'all')`,
    [teamId],
  );
  // Increasing sample times, one millisecond apart across the run, starting 6 h ago.
  let clock = Date.now() - 6 * 3_600_000;
  let next = 0;
  const batch = (rows: number): { agent: FleetAgent; body: string } => {
    const agent = fleet[next++ % fleet.length]!;
    const out = [];
    for (let i = 0; i < rows; i++) out.push(sampleRow(agent.hostId, new Date(clock++), 20 + (clock % 50), rows <= 2));
    return { agent, body: JSON.stringify(out) };
  };
  const columns = Object.keys(sampleRow(fleet[0]!.hostId, new Date(), 1)).join(', '); // with detail: absent keys are null
  const insertSql = `insert into public.host_samples (${columns}) select ${columns}
    from json_populate_recordset(null::public.host_samples, $1::json) on conflict (host_id, ts) do nothing`;

  async function one(mode: Mode, rows: number): Promise<void> {
    const { agent, body } = batch(rows);
    if (mode === 'rest') {
      const status = await postJson(
        http,
        restUrl,
        {
          apikey: env.SUPABASE_ANON_KEY!,
          authorization: `Bearer ${agent.token}`,
          prefer: 'return=minimal,resolution=ignore-duplicates',
        },
        body,
      );
      if (status !== 201) throw new Error(`REST insert answered ${status}`);
      return;
    }
    const c = await direct.connect();
    try {
      await c.query('begin isolation level read committed');
      await c.query(
        `select set_config('search_path', 'public, extensions', true), set_config('role', 'authenticated', true),
           set_config('request.jwt.claims', $1, true)`,
        [claims.get(agent.hostId)],
      );
      await c.query({ name: 'ingest', text: insertSql, values: [body] });
      await c.query('commit');
    } catch (err) {
      await c.query('rollback').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  /** Requests per second for `shape` in `mode`. */
  async function run(mode: Mode, shape: Shape): Promise<number> {
    if (mode === 'off') await admin.query('alter table public.host_samples disable trigger user');
    try {
      let left = shape.requests;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: shape.inflight }, async () => {
          while (left-- > 0) await one(mode, shape.rows);
        }),
      );
      return shape.requests / ((performance.now() - t0) / 1000);
    } finally {
      if (mode === 'off') await admin.query('alter table public.host_samples enable trigger user');
    }
  }

  const results: BenchResult[] = [];
  for (const shape of shapes) {
    // Warm-up: plans, connections, caches.
    for (const mode of ['rest', 'direct', 'off'] as Mode[])
      await run(mode, { ...shape, requests: Math.ceil(shape.requests / 5) });
    const rps: Record<Mode, number[]> = { rest: [], direct: [], off: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order: Mode[] = r % 2 ? ['off', 'direct', 'rest'] : ['rest', 'direct', 'off'];
      for (const mode of order) rps[mode].push(await run(mode, shape));
      log(
        `${shape.name} round ${r + 1}: rest ${rps.rest[r]!.toFixed(0)}/s, direct ${rps.direct[r]!.toFixed(0)}/s, triggers off ${rps.off[r]!.toFixed(0)}/s`,
      );
    }
    const med = (m: Mode) => percentile(rps[m], 50);
    const spread = (a: Mode, b: Mode) => {
      const ratios = rps[a].map((v, i) => v / rps[b][i]!);
      return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} over ${ROUNDS} rounds`;
    };
    const triggerCost = med('off') / med('direct');
    const restShare = med('rest') / med('direct');
    results.push(
      {
        figure: `Ingest ${shape.name} batches, triggers on / off (direct SQL, RLS, ${shape.inflight} in flight; spread ${spread('off', 'direct')})`,
        value: triggerCost,
        unit: `× (${med('direct').toFixed(0)} vs ${med('off').toFixed(0)} requests/s)`,
        goal: '≤ 1.3',
        met: triggerCost <= 1.3,
        issue: 17,
      },
      {
        figure: `Ingest ${shape.name} batches, REST / direct SQL of the same transaction (throughput; spread ${spread('rest', 'direct')})`,
        value: restShare,
        unit: `× (${med('rest').toFixed(0)} vs ${med('direct').toFixed(0)} requests/s)`,
        goal: '≥ 0.9',
        met: restShare >= 0.9,
        issue: 17,
      },
    );
  }
  report(results);
} finally {
  http.destroy();
  await direct.end();
  await admin.end();
  await stack.stop();
}
