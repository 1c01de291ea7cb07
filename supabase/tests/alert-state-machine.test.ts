/**
 * The alert state machine as the ingest trigger runs it: each agent insert is one statement, as the
 * agent sends them. Covers for-duration, hysteresis, flapping, keep-firing, silences, host-down,
 * a rule disabled mid-incident, two rules on one host, and the notifications outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, superuser, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
let team: TeamFixture;
let channelId: string;
const clock = Date.now() - 4 * 60_000;

beforeAll(async () => {
  team = await createTeam(db);
  const ch = await db.query<{ id: string }>(
    `insert into channels (team_id, name, kind) values ($1, 'ops', 'slack') returning id`,
    [team.teamId],
  );
  channelId = ch.rows[0]!.id;
});

/** A fresh host (with its own agent JWT) so each test's state is isolated. */
async function newHost(
  labels: Record<string, string> = {},
): Promise<{ hostId: string; send: (cpu: number, stepSec?: number) => Promise<void> }> {
  const h = await db.query<{ id: string }>(
    `insert into hosts (team_id, name, labels) values ($1, $2, $3) returning id`,
    [team.teamId, `sm-${Math.random().toString(36).slice(2)}`, labels],
  );
  const hostId = h.rows[0]!.id;
  let ts = clock;
  const send = async (cpu: number, stepSec = 10) => {
    ts += stepSec * 1000;
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total, mem_total, mem_used) values ($1, $2, $3, 100, 10)`,
      [hostId, new Date(ts), cpu],
    );
  };
  return { hostId, send };
}

async function rule(fields: Record<string, unknown>): Promise<string> {
  const row = {
    team_id: team.teamId,
    name: 'cpu',
    metric: 'cpu_total',
    operator: '>',
    threshold: 90,
    channel_ids: [channelId],
    ...fields,
  };
  const cols = Object.keys(row);
  const r = await db.query<{ id: string }>(
    `insert into alert_rules (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
    Object.values(row),
  );
  return r.rows[0]!.id;
}

async function events(hostId: string, ruleId?: string): Promise<string[]> {
  const r = await db.query<{ kind: string }>(
    `select kind from alert_events where host_id = $1 and ($2::uuid is null or rule_id = $2) order by id`,
    [hostId, ruleId ?? null],
  );
  return r.rows.map((x) => x.kind);
}

async function status(hostId: string, ruleId: string): Promise<string | undefined> {
  const r = await db.query<{ status: string }>(`select status from alert_states where host_id = $1 and rule_id = $2`, [
    hostId,
    ruleId,
  ]);
  return r.rows[0]?.status;
}

describe('alert state machine', () => {
  it('stays pending until the for-duration has passed, then fires and notifies once per channel', async () => {
    const { hostId, send } = await newHost();
    const r = await rule({ scope: 'host', scope_host_id: hostId, for_duration: '30 seconds' });
    await send(95);
    expect(await status(hostId, r)).toBe('pending');
    await send(96);
    await send(97);
    expect(await status(hostId, r)).toBe('pending');
    await send(98);
    expect(await status(hostId, r)).toBe('firing');
    expect(await events(hostId, r)).toEqual(['pending', 'firing']);
    const n = await db.query(
      `select n.* from notifications n join alert_events e on e.id = n.event_id where e.host_id = $1`,
      [hostId],
    );
    expect(n.rows).toHaveLength(1);
    expect(n.rows[0].channel_id).toBe(channelId);
    expect(n.rows[0].status).toBe('pending');
  });

  it('resolves only below the recovery threshold (hysteresis) and cancels a pending breach that ends', async () => {
    const { hostId, send } = await newHost();
    const r = await rule({ scope: 'host', scope_host_id: hostId, recovery_threshold: 80 });
    await send(95);
    await send(85); // between recovery and threshold: still firing
    expect(await status(hostId, r)).toBe('firing');
    await send(79);
    expect(await status(hostId, r)).toBe('ok');
    expect(await events(hostId, r)).toEqual(['firing', 'resolved']);
    const r2 = await rule({ scope: 'host', scope_host_id: hostId, for_duration: '1 minute', name: 'slow' });
    await send(95);
    await send(50);
    expect(await events(hostId, r2)).toEqual(['pending', 'cancelled']);
  });

  it('does not fire on flapping around the threshold when a for-duration is set', async () => {
    const { hostId, send } = await newHost();
    const r = await rule({ scope: 'host', scope_host_id: hostId, for_duration: '30 seconds' });
    for (const v of [95, 50, 95, 50, 95, 50, 95, 50]) await send(v);
    expect(await events(hostId, r)).not.toContain('firing');
    expect(await status(hostId, r)).toBe('ok');
  });

  it('keeps firing for keep_firing_for after recovery, and a relapse restarts that wait', async () => {
    const { hostId, send } = await newHost();
    const r = await rule({ scope: 'host', scope_host_id: hostId, keep_firing_for: '30 seconds' });
    await send(95);
    await send(50);
    await send(50);
    expect(await status(hostId, r)).toBe('firing');
    await send(95); // relapse
    await send(50);
    await send(50);
    await send(50);
    expect(await status(hostId, r)).toBe('firing');
    await send(50);
    expect(await status(hostId, r)).toBe('ok');
    expect(await events(hostId, r)).toEqual(['firing', 'resolved']);
  });

  it('records silenced events but sends no notification for them', async () => {
    const { send } = await newHost({ env: 'silenced' });
    await db.query(
      `insert into silences (team_id, label_key, label_value, ends_at) values ($1, 'env', 'silenced', now() + interval '1 hour')`,
      [team.teamId],
    );
    const r = await rule({ scope: 'label', scope_label_key: 'env', scope_label_value: 'silenced' });
    await send(95);
    const ev = await db.query(`select kind, silenced from alert_events where rule_id = $1`, [r]);
    expect(ev.rows).toEqual([{ kind: 'firing', silenced: true }]);
    const n = await db.query(
      `select 1 from notifications n join alert_events e on e.id = n.event_id where e.rule_id = $1`,
      [r],
    );
    expect(n.rows).toHaveLength(0);
  });

  it('resolves open alerts with a reason when the rule is disabled mid-incident', async () => {
    const { hostId, send } = await newHost();
    const r = await rule({ scope: 'host', scope_host_id: hostId });
    await send(95);
    await db.query(`update alert_rules set enabled = false where id = $1`, [r]);
    const ev = await db.query(`select kind, reason from alert_events where rule_id = $1 order by id`, [r]);
    expect(ev.rows).toEqual([
      { kind: 'firing', reason: null },
      { kind: 'resolved', reason: 'rule disabled' },
    ]);
    expect(await status(hostId, r)).toBeUndefined();
    await send(99);
    expect(await events(hostId, r)).toEqual(['firing', 'resolved']);
  });

  it('tracks two rules on one host independently (warning and critical)', async () => {
    const { hostId, send } = await newHost();
    const warn = await rule({ scope: 'host', scope_host_id: hostId, threshold: 70, severity: 'warning' });
    const crit = await rule({ scope: 'host', scope_host_id: hostId, threshold: 90, severity: 'critical' });
    await send(75);
    // Samples here are stamped minutes ago; mark the host seen now so status reflects alerts, not absence.
    await db.query(`update hosts set last_seen_at = now() where id = $1`, [hostId]);
    const s1 = await db.query(`select status from host_status where host_id = $1`, [hostId]);
    expect(s1.rows[0].status).toBe('warning');
    await send(95);
    await db.query(`update hosts set last_seen_at = now() where id = $1`, [hostId]);
    expect([await status(hostId, warn), await status(hostId, crit)]).toEqual(['firing', 'firing']);
    const s2 = await db.query(`select status, firing_alerts from host_status where host_id = $1`, [hostId]);
    expect(s2.rows[0]).toEqual({ status: 'critical', firing_alerts: 2 });
    await send(80);
    expect([await status(hostId, warn), await status(hostId, crit)]).toEqual(['firing', 'ok']);
  });

  it('fires host_down on the schedule after missed intervals and resolves on the next sample', async () => {
    const { hostId } = await newHost();
    const r = await rule({ scope: 'host', scope_host_id: hostId, metric: 'host_down', operator: '>=', threshold: 3 });
    await db.query(`update hosts set last_seen_at = now() - interval '20 seconds' where id = $1`, [hostId]);
    await db.query(`select private.check_hosts_down()`);
    // A rule that has never left ok keeps no state row (evaluate_rules writes state changes only).
    expect(await status(hostId, r)).toBeUndefined();
    await db.query(`update hosts set last_seen_at = now() - interval '45 seconds' where id = $1`, [hostId]);
    await db.query(`select private.check_hosts_down()`);
    expect(await status(hostId, r)).toBe('firing');
    const offline = await db.query(`select status from host_status where host_id = $1`, [hostId]);
    expect(offline.rows[0].status).toBe('offline');
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now(), 5)`, [hostId]);
    expect(await status(hostId, r)).toBe('ok');
    expect(await events(hostId, r)).toEqual(['firing', 'resolved']);
  });

  it('broadcasts one realtime message per statement to the team topic, and agents ingest through supabase-js', async () => {
    const before = await db.query<{ n: string }>(`select count(*) as n from realtime.messages where topic = $1`, [
      `team:${team.teamId}`,
    ]);
    const agent = clientWith(team.agentToken);
    const base = Date.now() - 100_000;
    const rows = Array.from({ length: 50 }, (_, i) => ({
      host_id: team.hostId,
      ts: new Date(base + i * 1000).toISOString(),
      cpu_total: i,
    }));
    const { error } = await agent
      .from('host_samples')
      .upsert(rows, { ignoreDuplicates: true, onConflict: 'host_id,ts' });
    expect(error).toBeNull();
    const after = await db.query<{ n: string }>(`select count(*) as n from realtime.messages where topic = $1`, [
      `team:${team.teamId}`,
    ]);
    expect(Number(after.rows[0]!.n) - Number(before.rows[0]!.n)).toBe(1);
    const latest = await db.query(`select cpu_total from host_latest where host_id = $1`, [team.hostId]);
    expect(latest.rows[0].cpu_total).toBe(49);
    const replay = await agent.from('host_samples').upsert(rows, { ignoreDuplicates: true, onConflict: 'host_id,ts' });
    expect(replay.error).toBeNull();
  });
});
