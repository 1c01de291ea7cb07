/**
 * detect-anomalies through /functions/v1: baselines refreshed into anomaly_baselines (checked
 * against the TypeScript reference), a spike fires an anomaly alert carrying the expected band and
 * score through the same events, states and outbox as threshold rules (the webhook receives it),
 * a calm recovery window resolves it, and ingest never evaluates anomaly rules as thresholds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineFromHistory } from '../functions/detect-anomalies/robust-stats.ts';
import { startNotifyReceiver, type NotifyReceiver } from './functions-receiver.ts';
import { createTeam, env, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
let rx: NotifyReceiver;
let team: TeamFixture;

beforeAll(async () => {
  rx = await startNotifyReceiver();
  team = await createTeam(db);
});
afterAll(async () => {
  await rx.close();
  await db.end();
});

async function detect(
  at: Date,
  auth = env.SUPABASE_SERVICE_ROLE_KEY,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/detect-anomalies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${auth}` },
    body: JSON.stringify({ at: at.toISOString() }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A wavy but calm CPU value. */
const calm = (i: number) => 40 + 5 * Math.sin(i / 30) + ((i * 7919) % 13) / 13;

describe('detect-anomalies', () => {
  it('fires on a spike with the expected band and score, notifies, and resolves after the recovery window', {
    timeout: 120_000,
  }, async () => {
    const ch = await db.query<{ id: string }>(
      `insert into channels (team_id, name, kind) values ($1, 'anomalies', 'webhook') returning id`,
      [team.teamId],
    );
    await db.query(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
      ch.rows[0]!.id,
      team.teamId,
      { url: rx.url('/anomaly') },
    ]);
    const host = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
      team.teamId,
      `db-${uniq()}`,
    ]);
    const hostId = host.rows[0]!.id;
    // Twenty minutes back, so the real-time cron run never sees these points in its windows.
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000);
    const atS = at.getTime() / 1000;
    // 24 hours of one sample a minute before `at`, then the minute rollups the baseline reads.
    const history: [number, number][] = [];
    for (let i = 1440; i >= 1; i--) history.push([atS - i * 60, calm(i)]);
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total) select $1, to_timestamp(t), v from unnest($2::float8[], $3::float8[]) as x(t, v)`,
      [hostId, history.map((h) => h[0]), history.map((h) => h[1])],
    );
    await db.query(`select private.rollup_samples('minute', $1::timestamptz - interval '25 hours', $1)`, [at]);
    const ruleRow = await db.query<{ id: string }>(
      `insert into alert_rules (team_id, name, kind, metric, threshold, sensitivity, scope, scope_host_id, channel_ids, severity)
       values ($1, 'CPU unusual', 'anomaly', 'cpu_total', 0.5, 'medium', 'host', $2, $3, 'warning') returning id`,
      [team.teamId, hostId, [ch.rows[0]!.id]],
    );
    const ruleId = ruleRow.rows[0]!.id;

    const first = await detect(at);
    expect(first.status).toBe(200);
    expect(first.body.evaluated).toBeGreaterThanOrEqual(1);
    const base = await db.query(
      `select expected, band, samples from anomaly_baselines where host_id = $1 and metric = 'cpu_total'`,
      [hostId],
    );
    expect(base.rows).toHaveLength(1);
    const ref = baselineFromHistory(history, atS)!;
    expect(base.rows[0].samples).toBe(ref.samples);
    expect(base.rows[0].expected).toBeCloseTo(ref.expected, 3);
    expect(base.rows[0].band).toBeCloseTo(ref.band, 3);
    expect((await db.query(`select 1 from alert_events where rule_id = $1`, [ruleId])).rows).toHaveLength(0);

    // A spike in the last three minutes (every 10 s): ingest alone must not fire the anomaly rule.
    const spike = Array.from({ length: 18 }, (_, i) => atS - 175 + i * 10);
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total) select $1, to_timestamp(t), 97 from unnest($2::float8[]) t`,
      [hostId, spike],
    );
    expect((await db.query(`select 1 from alert_events where rule_id = $1`, [ruleId])).rows).toHaveLength(0);

    const fired = await detect(at);
    expect(fired.body.events).toBe(1);
    const ev = await db.query(`select * from alert_events where rule_id = $1 order by id`, [ruleId]);
    expect(ev.rows).toHaveLength(1);
    const e = ev.rows[0];
    expect(e).toMatchObject({
      kind: 'firing',
      from_status: 'ok',
      to_status: 'firing',
      metric: 'cpu_total',
      value: 97,
      threshold: 0.5,
      host_id: hostId,
    });
    expect(e.expected).toBeCloseTo(ref.expected, 3);
    const band = Math.max(ref.band, Math.abs(ref.expected) * 0.01);
    expect(e.band_low).toBeCloseTo(ref.expected - 3.5 * band, 3);
    expect(e.band_high).toBeCloseTo(ref.expected + 3.5 * band, 3);
    expect(e.score).toBeCloseTo((97 - ref.expected) / band, 3);
    expect(e.reason).toMatch(/^cpu_total 97 outside expected .* in \d+% of the last 5 min \(score /);
    expect(
      (await db.query(`select status from alert_states where rule_id = $1 and host_id = $2`, [ruleId, hostId])).rows[0]
        .status,
    ).toBe('firing');

    const [d] = await rx.waitFor('/anomaly', 1, 30_000);
    const alert = (d!.json as { alerts: Record<string, unknown>[] }).alerts[0]!;
    expect(alert).toMatchObject({
      status: 'firing',
      rule: 'CPU unusual',
      value: 97,
      expected: e.expected,
      band_low: e.band_low,
      band_high: e.band_high,
      score: e.score,
    });

    // Running again at the same moment changes nothing.
    expect((await detect(at)).body.events).toBe(0);

    // Six calm minutes later the recovery window holds no anomalous point: resolved.
    const later = new Date(at.getTime() + 6 * 60_000);
    const calmTs = Array.from({ length: 36 }, (_, i) => atS + 5 + i * 10);
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total) select $1, to_timestamp(t), 41 from unnest($2::float8[]) t`,
      [hostId, calmTs],
    );
    const resolved = await detect(later);
    expect(resolved.body.events).toBe(1);
    const kinds = await db.query(`select kind from alert_events where rule_id = $1 order by id`, [ruleId]);
    expect(kinds.rows.map((r) => r.kind)).toEqual(['firing', 'resolved']);
    await rx.waitFor('/anomaly', 2, 30_000);
  });

  it('refuses callers without the service key and rejects a bad time', { timeout: 60_000 }, async () => {
    expect((await detect(new Date(), team.adminToken)).status).toBe(401);
    const res = await fetch(`${env.SUPABASE_URL}/functions/v1/detect-anomalies`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` },
      body: JSON.stringify({ at: 'yesterday-ish' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_at');
  });

  it('rejects anomaly rules outside the rolled-up metrics or with a share outside (0, 1]', async () => {
    const bad = (metric: string, threshold: number) =>
      db.query(`insert into alert_rules (team_id, name, kind, metric, threshold) values ($1, 'x', 'anomaly', $2, $3)`, [
        team.teamId,
        metric,
        threshold,
      ]);
    await expect(bad('host_down', 0.5)).rejects.toThrow(/alert_rules_anomaly_shape/);
    await expect(bad('cpu_total', 90)).rejects.toThrow(/alert_rules_anomaly_shape/);
  });
});
