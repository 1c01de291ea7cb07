/**
 * Load: simulated agents in one process (default 1,000), each with its own Auth user, sending host samples
 * every 10 s for 5 minutes through the gateway, threshold rules on a tenth of the hosts, and a dashboard
 * subscribed to the team's Realtime topic. The stack runs in a child process so its memory (PSS of the whole
 * process tree: Node, Postgres, redis-server, Deno workers) is measured apart from the generator.
 * VIBE_LOAD_AGENTS, VIBE_LOAD_DURATION_S, VIBE_LOAD_INTERVAL_S, VIBE_LOAD_JITTER_MS change the run.
 */
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { percentile, report } from './harness.ts';
import { subscribeDashboard } from './load/dashboard.ts';
import { treePssByName, treePssMiB } from './load/memory.ts';
import { createTeamRow, mapLimit, provisionAgents } from '../../testkit/src/provision.ts';
import { sampleRow, sendRows, signIn, type AgentStats } from './load/simulated-agent.ts';
import { startStackProcess } from '../../testkit/src/stack-process.ts';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`Invalid ${name}: expected a positive whole number, got "${raw}"`);
  return n;
}

const AGENTS = intEnv('VIBE_LOAD_AGENTS', 1000);
const DURATION_S = intEnv('VIBE_LOAD_DURATION_S', 300);
const INTERVAL_S = intEnv('VIBE_LOAD_INTERVAL_S', 10);
const JITTER_MS = Number(process.env.VIBE_LOAD_JITTER_MS ?? 1000);
const WARMUP_S = Math.min(60, Math.floor(DURATION_S / 5));
const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const stack = await startStackProcess();
const env = {
  SUPABASE_URL: stack.env.SUPABASE_URL!,
  SUPABASE_ANON_KEY: stack.env.SUPABASE_ANON_KEY!,
  SUPABASE_SERVICE_ROLE_KEY: stack.env.SUPABASE_SERVICE_ROLE_KEY!,
};
const db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 4 });
try {
  let t0 = performance.now();
  const teamId = await createTeamRow(db, 'load');
  const creds = await provisionAgents(env, db, teamId, AGENTS, 'load');
  log(`provisioned ${AGENTS} agents (hosts + Auth users) in ${Math.round(performance.now() - t0)} ms`);

  // The dashboard: a team owner subscribed to team:<id>.
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

  // Threshold rules on a tenth of the hosts; those hosts swing across the threshold every 3 sends.
  const ruled = new Set(creds.slice(0, Math.max(1, Math.floor(AGENTS / 10))).map((c) => c.hostId));
  await db.query(
    `insert into public.alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id)
     select $1, 'CPU high', 'cpu_total', '>', 90, 'warning', 'host', h from unnest($2::uuid[]) h`,
    [teamId, [...ruled]],
  );

  t0 = performance.now();
  const tokens = await mapLimit(creds, 8, (c) => signIn(env, c));
  log(`signed in ${AGENTS} agents in ${Math.round(performance.now() - t0)} ms`);

  // Baseline: one agent alone on the idle stack, same request shape.
  const baseline: AgentStats = { acked: [], errors: 0, latenciesMs: [] };
  const baseStart = Date.now() - 3_600_000;
  for (let k = 0; k < 40; k++)
    await sendRows(env, tokens[0]!, [sampleRow(creds[0]!.hostId, new Date(baseStart + k * 1000), 20)], baseline);
  const baselineP95 = percentile(baseline.latenciesMs, 95);
  log(
    `baseline: one agent alone, p50 ${percentile(baseline.latenciesMs, 50).toFixed(1)} ms, p95 ${baselineP95.toFixed(1)} ms`,
  );

  // Memory curve of the stack's process tree.
  const curve: { s: number; mib: number }[] = [];
  const loadStart = Date.now();
  let warmBreakdown: Record<string, number> = {};
  const memTimer = setInterval(() => {
    const s = Math.round((Date.now() - loadStart) / 1000);
    curve.push({ s, mib: treePssMiB(stack.pid) });
    if (s >= WARMUP_S && Object.keys(warmBreakdown).length === 0) warmBreakdown = treePssByName(stack.pid);
  }, 5000);
  curve.push({ s: 0, mib: treePssMiB(stack.pid) });

  const stats: AgentStats[] = creds.map(() => ({ acked: [], errors: 0, latenciesMs: [] }));
  const firstTick = Math.ceil((Date.now() + 2000) / (INTERVAL_S * 1000)) * INTERVAL_S * 1000;
  const ticks = Math.floor(DURATION_S / INTERVAL_S);
  const runAgent = async (i: number) => {
    const hostId = creds[i]!.hostId;
    for (let k = 0; k < ticks; k++) {
      const tick = firstTick + k * INTERVAL_S * 1000;
      const wait = tick + Math.random() * JITTER_MS - Date.now();
      if (wait > 0) await sleep(wait);
      const cpu = ruled.has(hostId) ? (k % 6 < 3 ? 95 : 10) : 20 + ((i * 7 + k * 13) % 40);
      // Two samples per send, as the agent's default 5 s sample and 10 s send intervals give.
      const rows = [sampleRow(hostId, new Date(tick - INTERVAL_S * 500), cpu), sampleRow(hostId, new Date(tick), cpu)];
      await sendRows(env, tokens[i]!, rows, stats[i]!);
    }
  };
  await Promise.all(creds.map((_, i) => runAgent(i)));
  const elapsedS = (Date.now() - loadStart) / 1000;
  const endBreakdown = treePssByName(stack.pid);
  log(`stack PSS by process after warm-up (MiB): ${JSON.stringify(warmBreakdown)}`);
  log(`stack PSS by process at the end of the load (MiB): ${JSON.stringify(endBreakdown)}`);
  // Postgres grows while its shared buffer cache (128 MB) fills with the new rows; the stack's own processes should not.
  const own = (b: Record<string, number>) =>
    Object.entries(b)
      .filter(([name]) => name !== 'postgres')
      .reduce((sum, [, mib]) => sum + mib, 0);
  const ownGrowth = ((own(endBreakdown) - own(warmBreakdown)) / own(warmBreakdown)) * 100;
  await sleep(5000); // last broadcasts in flight
  clearInterval(memTimer);
  curve.push({ s: Math.round((Date.now() - loadStart) / 1000), mib: treePssMiB(stack.pid) });

  // Every acknowledged sample stored exactly once.
  const { rows: stored } = await db.query<{ host_id: string; ts: Date }>(
    `select s.host_id, s.ts from public.host_samples s join public.hosts h on h.id = s.host_id where h.team_id = $1 and s.ts >= $2`,
    [teamId, new Date(firstTick - INTERVAL_S * 1000)],
  );
  const storedKeys = stored.map((r) => `${r.host_id}|${r.ts.toISOString()}`);
  const storedSet = new Set(storedKeys);
  let acked = 0;
  let lost = 0;
  for (const [i, s] of stats.entries()) {
    for (const ts of s.acked) {
      acked++;
      if (!storedSet.has(`${creds[i]!.hostId}|${ts}`)) lost++;
    }
  }
  const duplicated = storedKeys.length - storedSet.size;
  const errors = stats.reduce((n, s) => n + s.errors, 0);
  const latencies = stats.flatMap((s) => s.latenciesMs);
  const p95 = percentile(latencies, 95);

  // Alert events: every one the database recorded reached the dashboard.
  const { rows: events } = await db.query<{ id: string }>('select id from public.alert_events where team_id = $1', [
    teamId,
  ]);
  const delivered = events.filter((e) => dashboard.tally.eventIds.has(Number(e.id))).length;
  await dashboard.close();

  // Growth is judged under load: from the first point after warm-up to the last one before the senders stopped.
  const underLoad = curve.filter((p) => p.s >= WARMUP_S && p.s <= elapsedS);
  const warmStart = underLoad[0]?.mib ?? curve[0]!.mib;
  const end = underLoad[underLoad.length - 1]?.mib ?? curve[curve.length - 1]!.mib;
  const peak = Math.max(...curve.map((p) => p.mib));
  const growth = ((end - warmStart) / warmStart) * 100;
  log(`stack PSS curve (s: MiB): ${curve.map((p) => `${p.s}: ${Math.round(p.mib)}`).join(', ')}`);
  log(
    `${AGENTS} agents x ${ticks} sends in ${elapsedS.toFixed(0)} s: ${acked} samples acknowledged, ${storedSet.size} stored, ${errors} request errors, ${events.length} alert events, ${dashboard.tally.messages} ingest broadcasts at the dashboard`,
  );
  report([
    {
      figure: `Load: request errors (${AGENTS} agents, every ${INTERVAL_S} s, ${DURATION_S} s)`,
      value: errors,
      unit: 'requests',
      goal: '0',
      met: errors === 0,
      issue: 9,
    },
    { figure: 'Load: acknowledged samples lost', value: lost, unit: 'samples', goal: '0', met: lost === 0, issue: 9 },
    {
      figure: 'Load: samples stored twice',
      value: duplicated,
      unit: 'samples',
      goal: '0',
      met: duplicated === 0,
      issue: 9,
    },
    {
      figure: 'Load: alert events delivered to the dashboard',
      value: events.length ? delivered / events.length : 0,
      unit: `of ${events.length}`,
      goal: '1.0',
      met: events.length > 0 && delivered === events.length,
      issue: 9,
    },
    {
      figure: 'Load: insert p95 under load / one idle agent (ratio)',
      value: p95 / baselineP95,
      unit: `× (${p95.toFixed(0)} ms vs ${baselineP95.toFixed(1)} ms)`,
      goal: '',
      met: null,
      issue: 9,
    },
    {
      figure: 'Load: samples ingested per second',
      value: acked / elapsedS,
      unit: 'rows/s',
      goal: '',
      met: null,
      issue: 9,
    },
    {
      figure: `Load: stack PSS change without Postgres (Node, Deno, redis-server) from ${WARMUP_S} s to the end`,
      value: ownGrowth,
      unit: `% (${Math.round(own(warmBreakdown))} → ${Math.round(own(endBreakdown))} MiB)`,
      goal: '≤ 10 %',
      met: ownGrowth <= 10,
      issue: 9,
    },
    {
      figure: `Load: stack PSS change from ${WARMUP_S} s to the end`,
      value: growth,
      unit: `% (${Math.round(warmStart)} → ${Math.round(end)} MiB, peak ${Math.round(peak)})`,
      goal: '≤ 10 %',
      met: growth <= 10,
      issue: 9,
    },
  ]);
} finally {
  await db.end();
  await stack.stop();
}
