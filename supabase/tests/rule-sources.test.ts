/**
 * Rules on app, check and database sources, evaluated by the ingest triggers as the agent inserts
 * (one statement per batch, with the agent's JWT): pending → firing → resolved per series, scope by
 * service/route/check/database, silences, the backtest of saved and unsaved rules, default rules on
 * team creation and RLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_METRICS, SOURCES } from '../../web/src/routes/(app)/rules/rule-sources.ts';
import { clientWith, createTeam, createUser, mintToken, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
let team: TeamFixture;
let other: TeamFixture;
let channelId: string;
const start = Date.now() - 30 * 60_000;

beforeAll(async () => {
  [team, other] = await Promise.all([createTeam(db), createTeam(db)]);
  const ch = await db.query<{ id: string }>(
    `insert into channels (team_id, name, kind) values ($1, 'ops', 'webhook') returning id`,
    [team.teamId],
  );
  channelId = ch.rows[0]!.id;
});

/** A fresh host with its own agent JWT (states and events stay per test). */
async function newHost(t = team): Promise<{ hostId: string; agent: ReturnType<typeof clientWith> }> {
  const agentUser = await createUser('agent');
  const h = await db.query<{ id: string }>(
    `insert into hosts (team_id, name, labels, agent_user_id) values ($1, $2, '{"env":"prod"}', $3) returning id`,
    [t.teamId, `rs-${uniq()}`, agentUser],
  );
  const hostId = h.rows[0]!.id;
  const token = await mintToken(agentUser, { vibe_role: 'agent', host_id: hostId, team_id: t.teamId });
  return { hostId, agent: clientWith(token) };
}

async function rule(fields: Record<string, unknown>, teamId = team.teamId): Promise<string> {
  const row = { team_id: teamId, name: `r-${uniq()}`, operator: '>', channel_ids: [channelId], ...fields };
  const cols = Object.keys(row);
  const r = await db.query<{ id: string }>(
    `insert into alert_rules (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
    Object.values(row),
  );
  return r.rows[0]!.id;
}

async function events(ruleId: string): Promise<string[]> {
  const r = await db.query<{ kind: string; series: string; source: string }>(
    `select kind, series, source from alert_events where rule_id = $1 order by id`,
    [ruleId],
  );
  return r.rows.map((x) => `${x.kind}:${x.series}`);
}

const at = (min: number) => new Date(start + min * 60_000).toISOString();

function appRow(hostId: string, min: number, route: string, errorRate: number, p95 = 100) {
  return {
    host_id: hostId,
    ts: at(min),
    check_name: `api ${route}`,
    kind: 'app',
    status: 'up',
    service: 'api',
    route,
    error_rate: errorRate,
    latency_p50_ms: 10,
    latency_p95_ms: p95,
    latency_p99_ms: p95 * 2,
    throughput_rps: 5,
    request_count: 300,
  };
}

async function insert(agent: ReturnType<typeof clientWith>, table: string, rows: object[]): Promise<void> {
  const { error } = await agent.from(table).insert(rows);
  if (error) throw new Error(`insert ${table}: ${error.message}`);
}

describe('app rules', () => {
  it('fires per route after the for-duration and resolves; notifies the channel', async () => {
    const { hostId, agent } = await newHost();
    const id = await rule({ source: 'app', metric: 'error_rate', threshold: 5, for_duration: '2 minutes' });
    // Two routes in one batch; only GET /pay breaches.
    await insert(agent, 'app_samples', [appRow(hostId, 0, 'GET /pay', 20), appRow(hostId, 0, 'GET /ok', 0)]);
    await insert(agent, 'app_samples', [appRow(hostId, 1, 'GET /pay', 25), appRow(hostId, 1, 'GET /ok', 0)]);
    expect(await events(id)).toEqual(['pending:api GET /pay']);
    await insert(agent, 'app_samples', [appRow(hostId, 2, 'GET /pay', 30), appRow(hostId, 2, 'GET /ok', 1)]);
    expect(await events(id)).toEqual(['pending:api GET /pay', 'firing:api GET /pay']);
    const st = await db.query(`select series, status from alert_states where rule_id = $1`, [id]);
    expect(st.rows).toEqual([{ series: 'api GET /pay', status: 'firing' }]);
    await insert(agent, 'app_samples', [appRow(hostId, 3, 'GET /pay', 0)]);
    expect(await events(id)).toEqual(['pending:api GET /pay', 'firing:api GET /pay', 'resolved:api GET /pay']);
    const n = await db.query<{ n: number }>(
      `select count(*)::int as n from notifications n join alert_events e on e.id = n.event_id where e.rule_id = $1`,
      [id],
    );
    expect(n.rows[0]!.n).toBe(2); // firing and resolved
    const ev = await db.query(`select source, metric, host_id from alert_events where rule_id = $1 limit 1`, [id]);
    expect(ev.rows[0]).toEqual({ source: 'app', metric: 'error_rate', host_id: hostId });
  });

  it('scopes by service and route', async () => {
    const { hostId, agent } = await newHost();
    const byRoute = await rule({
      source: 'app',
      metric: 'latency_p95_ms',
      threshold: 500,
      series_match: { route: 'GET /slow' },
    });
    const byService = await rule({
      source: 'app',
      metric: 'latency_p95_ms',
      threshold: 500,
      series_match: { service: 'web' },
    });
    await insert(agent, 'app_samples', [
      appRow(hostId, 0, 'GET /slow', 0, 900),
      appRow(hostId, 0, 'GET /fast', 0, 800),
    ]);
    expect(await events(byRoute)).toEqual(['firing:api GET /slow']);
    expect(await events(byService)).toEqual([]);
  });

  it('rejects a dimension the source does not have and a metric of another source', async () => {
    await expect(
      rule({ source: 'app', metric: 'error_rate', threshold: 1, series_match: { db: 'x' } }),
    ).rejects.toThrow(/alert_rules_series_match_known/);
    await expect(rule({ source: 'app', metric: 'cache_hit_ratio', threshold: 1 })).rejects.toThrow(
      /alert_rules_metric_known/,
    );
    await expect(rule({ source: 'nope', metric: 'error_rate', threshold: 1 })).rejects.toThrow(
      /alert_rules_(source|metric)_known/,
    );
    await expect(
      rule({ source: 'host', metric: 'cpu_total', threshold: 1, series_match: { check: 'x' } }),
    ).rejects.toThrow(/alert_rules_series_match_known/);
  });
});

describe('check rules', () => {
  const check = (hostId: string, min: number, name: string, status: string, tls: number | null = 60) => ({
    host_id: hostId,
    ts: at(min),
    check_name: name,
    kind: 'http',
    target: 'https://example.test/',
    status,
    status_code: status === 'down' ? 503 : 200,
    latency_ms: 40,
    detail: { method: 'GET', tls_days_left: tls },
  });

  it('fires on a check down for a minute, only for the check it names', async () => {
    const { hostId, agent } = await newHost();
    const id = await rule({
      source: 'check',
      metric: 'check_down',
      operator: '>=',
      threshold: 1,
      for_duration: '1 minute',
      series_match: { check: 'shop' },
    });
    await insert(agent, 'app_samples', [check(hostId, 0, 'shop', 'down'), check(hostId, 0, 'blog', 'down')]);
    await insert(agent, 'app_samples', [check(hostId, 1, 'shop', 'down'), check(hostId, 1, 'blog', 'down')]);
    await insert(agent, 'app_samples', [check(hostId, 2, 'shop', 'up'), check(hostId, 2, 'blog', 'up')]);
    expect(await events(id)).toEqual(['pending:shop', 'firing:shop', 'resolved:shop']);
  });

  it('reads the TLS days left the agent records in detail', async () => {
    const { hostId, agent } = await newHost();
    const id = await rule({ source: 'check', metric: 'tls_days_left', operator: '<', threshold: 14 });
    await insert(agent, 'app_samples', [check(hostId, 0, 'shop', 'up', 30), check(hostId, 0, 'tcp-only', 'up', null)]);
    await insert(agent, 'app_samples', [check(hostId, 1, 'shop', 'up', 9)]);
    expect(await events(id)).toEqual(['firing:shop']);
  });

  it('still honours silences: recorded but not notified', async () => {
    const { hostId, agent } = await newHost();
    const id = await rule({ source: 'check', metric: 'check_down', operator: '>=', threshold: 1 });
    await db.query(`insert into silences (team_id, host_id, ends_at) values ($1, $2, now() + interval '1 hour')`, [
      team.teamId,
      hostId,
    ]);
    await insert(agent, 'app_samples', [check(hostId, 0, 'shop', 'down')]);
    const r = await db.query(
      `select e.kind, e.silenced, (select count(*)::int from notifications n where n.event_id = e.id) as sent from alert_events e where e.rule_id = $1`,
      [id],
    );
    expect(r.rows).toEqual([{ kind: 'firing', silenced: true, sent: 0 }]);
  });
});

describe('database rules', () => {
  const dbRow = (hostId: string, min: number, name: string, total: number, max = 100) => ({
    host_id: hostId,
    ts: at(min),
    db_name: name,
    connections_total: total,
    max_connections: max,
    cache_hit_ratio: 99,
    replication_lag_s: 0,
    deadlocks: 0,
    xact_rollback_rate: 0,
  });

  it('fires on connections used % of max, per database, and resolves with hysteresis', async () => {
    const { hostId, agent } = await newHost();
    const id = await rule({
      source: 'db',
      metric: 'connections_used_pct',
      threshold: 80,
      recovery_threshold: 70,
      series_match: { db: 'app' },
    });
    await insert(agent, 'db_samples', [dbRow(hostId, 0, 'app', 85), dbRow(hostId, 0, 'other', 95)]);
    await insert(agent, 'db_samples', [dbRow(hostId, 1, 'app', 75)]); // below the threshold, above recovery: still firing
    expect(await events(id)).toEqual(['firing:app']);
    await insert(agent, 'db_samples', [dbRow(hostId, 2, 'app', 60)]);
    expect(await events(id)).toEqual(['firing:app', 'resolved:app']);
  });

  it('closes open series when the rule is disabled', async () => {
    const { hostId, agent } = await newHost();
    const id = await rule({ source: 'db', metric: 'connections_used_pct', threshold: 50 });
    await insert(agent, 'db_samples', [dbRow(hostId, 0, 'a', 90), dbRow(hostId, 0, 'b', 90)]);
    await db.query(`update alert_rules set enabled = false where id = $1`, [id]);
    expect((await events(id)).sort()).toEqual(['firing:a', 'firing:b', 'resolved:a', 'resolved:b']);
  });
});

describe('backtest', () => {
  it('replays saved and unsaved rules on app, check, db and host sources as the member', async () => {
    const { hostId, agent } = await newHost();
    for (let m = 0; m < 6; m++) {
      await insert(agent, 'app_samples', [appRow(hostId, m, 'GET /bt', m >= 2 && m <= 3 ? 50 : 0)]);
      await insert(agent, 'db_samples', [
        {
          host_id: hostId,
          ts: at(m),
          db_name: 'bt',
          cache_hit_ratio: m === 4 ? 40 : 99,
          connections_total: 1,
          max_connections: 10,
        },
      ]);
      await insert(agent, 'app_samples', [
        {
          host_id: hostId,
          ts: at(m),
          check_name: 'bt-check',
          kind: 'tcp',
          status: m === 1 ? 'down' : 'up',
          latency_ms: 3,
        },
      ]);
      await insert(agent, 'host_samples', [{ host_id: hostId, ts: at(m), cpu_total: m === 5 ? 99 : 5 }]);
    }
    const admin = clientWith(team.adminToken);
    const from = new Date(start - 60_000).toISOString();
    const draft = (r: object) =>
      admin.rpc('backtest_rule_draft', {
        p_rule: { team_id: team.teamId, scope: 'host', scope_host_id: hostId, ...r },
        p_from: from,
      });
    const app = await draft({ source: 'app', metric: 'error_rate', threshold: 5, for_duration: '1 minute' });
    expect(app.error).toBeNull();
    expect(app.data!.map((r: { event: string; series: string }) => `${r.event}:${r.series}`)).toEqual([
      'pending:api GET /bt',
      'firing:api GET /bt',
      'resolved:api GET /bt',
    ]);
    const cache = await draft({ source: 'db', metric: 'cache_hit_ratio', operator: '<', threshold: 90 });
    expect(cache.data!.map((r: { event: string }) => r.event)).toEqual(['firing', 'resolved']);
    const down = await draft({ source: 'check', metric: 'check_down', operator: '>=', threshold: 1 });
    expect(down.data!.map((r: { event: string; series: string }) => `${r.event}:${r.series}`)).toEqual([
      'firing:bt-check',
      'resolved:bt-check',
    ]);
    const cpu = await draft({ metric: 'cpu_total', threshold: 90 });
    expect(cpu.data!.map((r: { event: string }) => r.event)).toEqual(['firing']);
    // A saved rule goes through the same replay.
    const saved = await rule({
      source: 'app',
      metric: 'error_rate',
      threshold: 5,
      scope: 'host',
      scope_host_id: hostId,
    });
    const bt = await admin.rpc('backtest_rule', { p_rule_id: saved, p_from: from });
    expect(bt.data!.map((r: { event: string }) => r.event)).toEqual(['firing', 'resolved']);
    // Another team's member replays nothing of this team's history.
    const outsider = await clientWith(other.adminToken).rpc('backtest_rule_draft', {
      p_rule: { team_id: team.teamId, source: 'app', metric: 'error_rate', threshold: 5 },
      p_from: from,
    });
    expect(outsider.error).toBeNull();
    expect(outsider.data).toEqual([]);
    // Bad input says what to fix.
    const bad = await draft({ source: 'db', metric: 'error_rate', threshold: 1 });
    expect(bad.error?.message).toMatch(/error_rate is not a metric of source db/);
  });
});

describe('the rule form catalogue', () => {
  it('offers exactly the sources, metrics and dimensions the database accepts', async () => {
    const metrics = await db.query<{ source: string; metric: string }>(
      `select source, metric from private.rule_metrics
       union all select 'host', name from private.host_metrics where alertable
       union all select 'host', 'host_down' order by 1, 2`,
    );
    // Sources on per-series host tables exist once their table does (…_add_series_table_rules.sql).
    const tables = await db.query<{ t: string }>(
      `select t from unnest($1::text[]) t where to_regclass('public.' || t) is not null`,
      [SOURCES.flatMap((s) => (s.table ? [s.table] : []))],
    );
    const present = SOURCES.filter((s) => !s.table || tables.rows.some((r) => r.t === s.table));
    const form = present.flatMap((s) => s.metrics.map((m) => ({ source: s.key, metric: m.key })));
    const key = (x: { source: string; metric: string }) => `${x.source}:${x.metric}`;
    expect(form.map(key).sort()).toEqual(metrics.rows.map(key).sort());
    const dims = await db.query<{ source: string; dims: string[] }>(
      `select source, array(select jsonb_object_keys(dims) order by 1) as dims from private.rule_sources`,
    );
    expect(dims.rows.map((d) => d.source).sort()).toEqual(
      present
        .filter((s) => s.key !== 'host')
        .map((s) => s.key)
        .sort(),
    );
    for (const d of dims.rows) {
      expect(
        SOURCES.find((s) => s.key === d.source)!
          .dims.map((x) => x.key)
          .sort(),
      ).toEqual([...d.dims].sort());
    }
    const rolled = await db.query<{ name: string }>(
      `select name from private.host_metrics where rollup_type is not null order by 1`,
    );
    expect(ANOMALY_METRICS.map((m) => m.key).sort()).toEqual(rolled.rows.map((r) => r.name).sort());
  });
});

describe('default rules', () => {
  it('gives a new team the default set, editable and removable by its admins', async () => {
    const fresh = await createTeam(db, `defaults-${uniq()}`, { defaultRules: true });
    const admin = clientWith(fresh.adminToken);
    const { data, error } = await admin
      .from('alert_rules')
      .select('name, source, metric, operator, threshold, severity, for_duration');
    expect(error).toBeNull();
    expect(
      data!.map((r) => `${r.source}:${r.metric} ${r.operator} ${r.threshold} ${r.severity} ${r.for_duration}`).sort(),
    ).toEqual([
      'check:check_down >= 1 critical 00:01:00',
      'check:tls_days_left < 14 warning 00:00:00',
      'db:connections_used_pct > 80 warning 00:05:00',
      'host:cpu_total > 90 warning 00:05:00',
      'host:host_down >= 3 critical 00:02:00',
      'host:mem_percent > 90 warning 00:05:00',
      // With the host series tables (…_add_series_table_rules.sql) the disk rules watch every mount.
      'mount:used_percent > 90 warning 00:00:00',
      'mount:used_percent > 95 critical 00:00:00',
    ]);
    const upd = await admin
      .from('alert_rules')
      .update({ threshold: 95 })
      .eq('name', 'CPU above 90 %')
      .eq('team_id', fresh.teamId)
      .select('threshold');
    expect(upd.data).toEqual([{ threshold: 95 }]);
    const del = await admin
      .from('alert_rules')
      .delete()
      .eq('name', 'Host down')
      .eq('team_id', fresh.teamId)
      .select('id');
    expect(del.data).toHaveLength(1);
    // Re-adding restores only the missing one; the other team's members see none of them.
    const again = await admin.rpc('add_default_rules', { p_team_id: fresh.teamId });
    expect(again.data.map((r: { name: string }) => r.name)).toEqual(['Host down']);
    const seen = await clientWith(other.adminToken).from('alert_rules').select('id').eq('team_id', fresh.teamId);
    expect(seen.data).toEqual([]);
    // Viewers cannot add them (the rule insert policy applies: the function runs as the caller).
    await admin.from('alert_rules').delete().eq('name', 'Host down').eq('team_id', fresh.teamId);
    const viewer = await clientWith(fresh.viewerToken).rpc('add_default_rules', { p_team_id: fresh.teamId });
    expect(viewer.error?.message).toMatch(/row-level security/);
  });
});
