/**
 * Load, ceiling run (issue 17): a simulated fleet sends host samples through the gateway on the agent's
 * own schedule (two samples per send at the host's phase within the send interval, as
 * agent/src/run/send-policy.ts), with threshold rules on a tenth of the hosts and a dashboard subscribed
 * to the team's Realtime topic. The fleet grows step by step (VIBE_LOAD_STEPS, default
 * 1000,2500,5000,7500,10000 agents, VIBE_LOAD_STEP_S seconds each, default 60) until insert p95 exceeds
 * 1 s or a request fails; the largest fleet that held is then run for VIBE_LOAD_HOLD_S (default 300):
 * p50/p95, errors, lost and doubled samples, alert delivery, and the stack's memory curve (Node, Deno,
 * Redis; Postgres apart, its shared_buffers fixed at the stack's 128 MB). The stack runs in a child
 * process; the generator's own CPU share is reported, since both share this machine's cores.
 */
import os from 'node:os';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { sendPhaseMs } from '../../agent/src/run/send-policy.ts';
import { createTeamRow } from '../../testkit/src/provision.ts';
import { startStackProcess } from '../../testkit/src/stack-process.ts';
import { percentile, report, type BenchResult } from './harness.ts';
import { subscribeDashboard } from './load/dashboard.ts';
import { ingestUrl, keepAliveAgent, postJson, provisionFleet, type FleetAgent } from './load/fleet.ts';
import { treePssByName } from './load/memory.ts';
import { sampleRow } from './load/simulated-agent.ts';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`Invalid ${name}: expected a positive whole number, got "${raw}"`);
  return n;
}

const STEPS = (process.env.VIBE_LOAD_STEPS ?? '1000,2500,5000,7500,10000').split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Invalid VIBE_LOAD_STEPS: "${s}" is not a positive whole number`);
  return n;
});
const STEP_S = intEnv('VIBE_LOAD_STEP_S', 60);
const HOLD_S = intEnv('VIBE_LOAD_HOLD_S', 300);
const INTERVAL_S = intEnv('VIBE_LOAD_INTERVAL_S', 10);
const SOCKETS = intEnv('VIBE_LOAD_SOCKETS', 512);
const CEILING_P95_MS = 1000;
const GOAL_P95_MS = 500;
const WARMUP_S = Math.min(60, Math.floor(HOLD_S / 5));
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one phase of the run saw. */
interface PhaseStats {
  agents: number;
  latenciesMs: number[];
  errors: number;
  sends: number;
  /** `hostId|ts` of every acknowledged sample. */
  acked: string[];
  generatorCpuShare: number;
  seconds: number;
}

const stack = await startStackProcess();
const restUrl = ingestUrl(stack.env.SUPABASE_URL!);
const db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
const http = keepAliveAgent(SOCKETS);
try {
  const largest = Math.max(...STEPS);
  const t0 = performance.now();
  const teamId = await createTeamRow(db, 'load');
  const fleet = await provisionFleet(db, stack.env.SUPABASE_JWT_SECRET!, teamId, largest, 'load');
  log(`provisioned ${largest} agents (hosts, Auth users, tokens) in ${Math.round(performance.now() - t0)} ms`);

  // Threshold rules on a tenth of the hosts; those hosts swing across the threshold every 3 sends.
  const ruled = new Set(fleet.slice(0, Math.max(1, Math.floor(largest / 10))).map((a) => a.hostId));
  await db.query(
    `insert into public.alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id)
     select $1, 'CPU high', 'cpu_total', '>', 90, 'warning', 'host', h from unnest($2::uuid[]) h`,
    [teamId, [...ruled]],
  );

  // The dashboard: a team owner subscribed to team:<id>.
  const env = {
    SUPABASE_URL: stack.env.SUPABASE_URL!,
    SUPABASE_ANON_KEY: stack.env.SUPABASE_ANON_KEY!,
    SUPABASE_SERVICE_ROLE_KEY: stack.env.SUPABASE_SERVICE_ROLE_KEY!,
  };
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const ownerEmail = `owner-${Date.now()}@load.test`;
  const ownerPassword = `pw-${Date.now()}-owner`;
  const owner = await admin.auth.admin.createUser({ email: ownerEmail, password: ownerPassword, email_confirm: true });
  if (owner.error) throw new Error(`Cannot create the dashboard user: ${owner.error.message}`);
  await db.query(
    `insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner') on conflict do nothing`,
    [teamId, owner.data.user!.id],
  );
  const dashboard = await subscribeDashboard(env, teamId, ownerEmail, ownerPassword);
  const headers = (token: string) => ({
    apikey: env.SUPABASE_ANON_KEY,
    authorization: `Bearer ${token}`,
    prefer: 'return=minimal,resolution=ignore-duplicates',
  });

  /** One send with the agent's retries (1 s, 2 s, 3 s); every failed attempt counts as an error. */
  async function send(agent: FleetAgent, rows: Record<string, unknown>[], s: PhaseStats, measure: boolean) {
    const body = JSON.stringify(rows);
    for (let attempt = 0; attempt < 4; attempt++) {
      const started = performance.now();
      const status = await postJson(http, restUrl, headers(agent.token), body);
      if (status >= 200 && status < 300) {
        if (measure) s.latenciesMs.push(performance.now() - started);
        s.sends++;
        for (const r of rows) s.acked.push(`${agent.hostId}|${r.ts as string}`);
        return;
      }
      s.errors++;
      await sleep(1000 * (attempt + 1));
    }
  }

  /** Runs the first `n` agents for `seconds` on their phase grids; latencies after the first interval count. */
  async function phase(n: number, seconds: number, onTick?: () => void): Promise<PhaseStats> {
    const stats: PhaseStats = {
      agents: n,
      latenciesMs: [],
      errors: 0,
      sends: 0,
      acked: [],
      generatorCpuShare: 0,
      seconds,
    };
    const interval = INTERVAL_S * 1000;
    const start = Date.now() + 500;
    const end = start + seconds * 1000;
    const measureFrom = start + interval;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const ticker = onTick ? setInterval(onTick, 5000) : null;
    await Promise.all(
      fleet.slice(0, n).map(async (agent, i) => {
        const phaseMs = sendPhaseMs(agent.hostId, INTERVAL_S);
        let k = 0;
        for (;;) {
          const now = Date.now();
          const tick = now + (interval - ((((now - phaseMs) % interval) + interval) % interval));
          if (tick >= end) return;
          await sleep(tick - Date.now());
          const cpu = ruled.has(agent.hostId) ? (k % 6 < 3 ? 95 : 10) : 20 + ((i * 7 + k * 13) % 40);
          // Two samples per send, as the agent's default 5 s sample and 10 s send intervals give.
          const rows = [
            sampleRow(agent.hostId, new Date(tick - interval / 2), cpu),
            sampleRow(agent.hostId, new Date(tick), cpu),
          ];
          await send(agent, rows, stats, tick >= measureFrom);
          k++;
        }
      }),
    );
    if (ticker) clearInterval(ticker);
    const used = process.cpuUsage(cpu0);
    stats.generatorCpuShare = (used.user + used.system) / 1000 / ((performance.now() - wall0) * os.cpus().length);
    return stats;
  }

  const describe = (s: PhaseStats) =>
    `${s.agents} agents, ${s.seconds} s: ${s.sends} sends, p50 ${percentile(s.latenciesMs, 50).toFixed(0)} ms, p95 ${percentile(s.latenciesMs, 95).toFixed(0)} ms, ${s.errors} errors, generator CPU ${(s.generatorCpuShare * 100).toFixed(0)} % of the machine`;

  // Baseline: one agent alone on the idle stack, same request shape.
  const base = await phase(1, Math.max(30, INTERVAL_S * 4));
  log(`baseline: ${describe(base)}`);

  const allAcked: string[] = [...base.acked];
  const runStart = new Date(Date.now() - 60_000);
  let held = 0;
  const steps: PhaseStats[] = [];
  for (const n of STEPS) {
    const s = await phase(n, STEP_S);
    steps.push(s);
    allAcked.push(...s.acked);
    log(`step: ${describe(s)}`);
    if (s.errors > 0 || percentile(s.latenciesMs, 95) > CEILING_P95_MS) break;
    held = n;
  }
  if (held === 0) throw new Error(`Not even ${STEPS[0]} agents held p95 ≤ ${CEILING_P95_MS} ms without errors`);

  // Hold the largest fleet that held, with the memory curve of the stack's process tree.
  const curve: { s: number; own: number; postgres: number }[] = [];
  const holdStart = Date.now();
  const sampleMemory = () => {
    const by = treePssByName(stack.pid);
    const postgres = by.postgres ?? 0;
    const own = Object.entries(by)
      .filter(([name]) => name !== 'postgres')
      .reduce((sum, [, mib]) => sum + mib, 0);
    curve.push({ s: Math.round((Date.now() - holdStart) / 1000), own, postgres });
  };
  sampleMemory();
  const eventsBefore = Number(
    (await db.query<{ n: string }>('select count(*) as n from public.alert_events where team_id = $1', [teamId]))
      .rows[0]!.n,
  );
  const hold = await phase(held, HOLD_S, sampleMemory);
  sampleMemory();
  allAcked.push(...hold.acked);
  log(`hold: ${describe(hold)}`);
  await sleep(5000); // last broadcasts in flight

  // Every acknowledged sample stored exactly once.
  const { rows: stored } = await db.query<{ k: string }>(
    `select s.host_id || '|' || to_char(s.ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as k
     from public.host_samples s join public.hosts h on h.id = s.host_id where h.team_id = $1 and s.ts >= $2`,
    [teamId, runStart],
  );
  const storedSet = new Set(stored.map((r) => r.k));
  const lost = allAcked.filter((k) => !storedSet.has(k)).length;
  const doubled = stored.length - storedSet.size;

  // Alert events of the hold: every one the database recorded reached the dashboard.
  const { rows: events } = await db.query<{ id: string }>(
    'select id from public.alert_events where team_id = $1 order by id offset $2',
    [teamId, eventsBefore],
  );
  const delivered = events.filter((e) => dashboard.tally.eventIds.has(Number(e.id))).length;
  await dashboard.close();

  const warm = curve.filter((p) => p.s >= WARMUP_S);
  const first = warm[0] ?? curve[0]!;
  const last = curve[curve.length - 1]!;
  const ownGrowth = ((last.own - first.own) / first.own) * 100;
  log(
    `stack PSS curve (s: own MiB / postgres MiB): ${curve.map((p) => `${p.s}: ${Math.round(p.own)}/${Math.round(p.postgres)}`).join(', ')}`,
  );
  const p50 = percentile(hold.latenciesMs, 50);
  const p95 = percentile(hold.latenciesMs, 95);
  const results: BenchResult[] = [
    ...steps.map((s) => ({
      figure: `Load step: ${s.agents} agents every ${INTERVAL_S} s for ${s.seconds} s, insert p95 (errors ${s.errors})`,
      value: percentile(s.latenciesMs, 95),
      unit: 'ms',
      goal: `≤ ${CEILING_P95_MS} to grow`,
      met: s.errors === 0 && percentile(s.latenciesMs, 95) <= CEILING_P95_MS,
      issue: 17,
    })),
    {
      figure: `Load ceiling: largest fleet held (every ${INTERVAL_S} s, steps ${STEPS.join('/')})`,
      value: held,
      unit: 'agents',
      goal: '≥ 10000',
      met: held >= 10_000,
      issue: 17,
    },
    {
      figure: `Load hold (${held} agents, ${HOLD_S} s): insert p50`,
      value: p50,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 17,
    },
    {
      figure: `Load hold (${held} agents, ${HOLD_S} s): insert p95`,
      value: p95,
      unit: `ms (one idle agent ${percentile(base.latenciesMs, 95).toFixed(1)} ms)`,
      goal: `< ${GOAL_P95_MS}`,
      met: p95 < GOAL_P95_MS,
      issue: 17,
    },
    {
      figure: 'Load hold: request errors',
      value: hold.errors,
      unit: 'requests',
      goal: '0',
      met: hold.errors === 0,
      issue: 17,
    },
    {
      figure: 'Load run: acknowledged samples lost',
      value: lost,
      unit: 'samples',
      goal: '0',
      met: lost === 0,
      issue: 17,
    },
    {
      figure: 'Load run: samples stored twice',
      value: doubled,
      unit: 'samples',
      goal: '0',
      met: doubled === 0,
      issue: 17,
    },
    {
      figure: 'Load hold: alert events delivered to the dashboard',
      value: events.length ? delivered / events.length : 0,
      unit: `of ${events.length}`,
      goal: '1.0',
      met: events.length > 0 && delivered === events.length,
      issue: 17,
    },
    {
      figure: 'Load hold: samples ingested per second',
      value: hold.acked.length / HOLD_S,
      unit: 'rows/s',
      goal: '',
      met: null,
      issue: 17,
    },
    {
      figure: 'Load hold: generator CPU share of the machine',
      value: hold.generatorCpuShare * 100,
      unit: `% of ${os.cpus().length} cores`,
      goal: '',
      met: null,
      issue: 17,
    },
    {
      figure: `Load hold: stack PSS change without Postgres (Node, Deno, redis-server) from ${WARMUP_S} s to the end`,
      value: ownGrowth,
      unit: `% (${Math.round(first.own)} → ${Math.round(last.own)} MiB)`,
      goal: '≤ 10 %',
      met: ownGrowth <= 10,
      issue: 17,
    },
    {
      figure: `Load hold: Postgres PSS from ${WARMUP_S} s to the end (shared_buffers 128 MB)`,
      value: last.postgres,
      unit: `MiB (from ${Math.round(first.postgres)})`,
      goal: '',
      met: null,
      issue: 17,
    },
  ];
  report(results);
} finally {
  http.destroy();
  await db.end();
  await stack.stop();
}
