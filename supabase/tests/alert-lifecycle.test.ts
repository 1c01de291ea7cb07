/**
 * After an alert fires: reminders every repeat_interval while it is firing and unacknowledged (the clock is
 * driven through send_alert_reminders' explicit time, never by sleeping), acknowledgement by owners and
 * admins through the RPC (who, when, note; viewers and other teams refused), which stops reminders until
 * the alert resolves or fires anew, and resolved notices for acknowledged alerts. Everything in alert_events.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifyReceiver } from './functions-receiver.ts';
import { clientWith, createTeam, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
let team: TeamFixture;
let other: TeamFixture;
let admin: SupabaseClient;
let channelId: string;

beforeAll(async () => {
  [team, other] = await Promise.all([createTeam(db), createTeam(db)]);
  admin = clientWith(team.adminToken);
  const ch = await db.query<{ id: string }>(
    `insert into channels (team_id, name, kind) values ($1, 'ops', 'slack') returning id`,
    [team.teamId],
  );
  channelId = ch.rows[0]!.id;
});

interface Alert {
  hostId: string;
  ruleId: string;
  send: (cpu: number) => Promise<void>;
}

/** A host with a rule on it (repeat_interval as given) and a sample sender 10 s apart from 10 minutes ago. */
async function newAlert(repeat: string | null = '1 hour'): Promise<Alert> {
  const h = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
    team.teamId,
    `lc-${uniq()}`,
  ]);
  const hostId = h.rows[0]!.id;
  const r = await db.query<{ id: string }>(
    `insert into alert_rules (team_id, name, metric, operator, threshold, scope, scope_host_id, channel_ids, repeat_interval)
     values ($1, $2, 'cpu_total', '>', 90, 'host', $3, $4, $5) returning id`,
    [team.teamId, `lc-rule-${uniq()}`, hostId, [channelId], repeat],
  );
  let ts = Date.now() - 600_000;
  const send = async (cpu: number) => {
    ts += 10_000;
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, $2, $3)`, [
      hostId,
      new Date(ts),
      cpu,
    ]);
  };
  return { hostId, ruleId: r.rows[0]!.id, send };
}

async function since(a: Alert): Promise<number> {
  const r = await db.query<{ since: Date }>(`select since from alert_states where rule_id = $1 and host_id = $2`, [
    a.ruleId,
    a.hostId,
  ]);
  return r.rows[0]!.since.getTime();
}

/**
 * Runs the reminder job as pg_cron would, at `at`, for this file's team only (a run hours ahead would remind
 * other test files' alerts in the shared database); returns the reminders it recorded for this alert.
 */
async function remindAt(a: Alert, at: number): Promise<{ reason: string; notifications: number }[]> {
  const before = await db.query<{ max: string | null }>(`select max(id) from alert_events where rule_id = $1`, [
    a.ruleId,
  ]);
  await db.query(`select private.send_alert_reminders($1, $2)`, [new Date(at), team.teamId]);
  const r = await db.query<{ reason: string; notifications: string }>(
    `select e.reason, (select count(*) from notifications n where n.event_id = e.id) as notifications
     from alert_events e where e.rule_id = $1 and e.kind = 'reminder' and e.id > coalesce($2::bigint, 0) order by e.id`,
    [a.ruleId, before.rows[0]!.max],
  );
  return r.rows.map((x) => ({ reason: x.reason, notifications: Number(x.notifications) }));
}

async function kinds(a: Alert): Promise<string[]> {
  const r = await db.query<{ kind: string }>(`select kind from alert_events where rule_id = $1 order by id`, [
    a.ruleId,
  ]);
  return r.rows.map((x) => x.kind);
}

const MIN = 60_000;

describe('reminders', () => {
  it('repeat every repeat_interval while the alert fires unacknowledged, and each is notified', async () => {
    const a = await newAlert('1 hour');
    await a.send(95);
    const t0 = await since(a);
    expect(await remindAt(a, t0 + 59 * MIN)).toEqual([]);
    expect(await remindAt(a, t0 + 60 * MIN)).toEqual([{ reason: 'firing for 1 h 0 min', notifications: 1 }]);
    expect(await remindAt(a, t0 + 61 * MIN)).toEqual([]);
    expect(await remindAt(a, t0 + 119 * MIN)).toEqual([]);
    expect(await remindAt(a, t0 + 120 * MIN)).toEqual([{ reason: 'firing for 2 h 0 min', notifications: 1 }]);
    expect(await kinds(a)).toEqual(['firing', 'reminder', 'reminder']);
  });

  it('default to every 4 hours, can be turned off, and are bounded to 5 minutes .. 7 days', async () => {
    const r = await db.query<{ repeat_interval: string }>(
      `insert into alert_rules (team_id, name, metric, threshold) values ($1, 'd', 'cpu_total', 1) returning repeat_interval::text`,
      [team.teamId],
    );
    expect(r.rows[0]!.repeat_interval).toBe('04:00:00');
    const { error } = await admin.from('alert_rules').insert({
      team_id: team.teamId,
      name: 'too-often',
      metric: 'cpu_total',
      threshold: 1,
      repeat_interval: '1 minute',
    });
    expect(error?.code).toBe('23514');
    expect(error?.message).toMatch(/alert_rules_repeat_interval_range/);
    const off = await newAlert(null);
    await off.send(95);
    expect(await remindAt(off, (await since(off)) + 30 * 24 * 60 * MIN)).toEqual([]);
  });

  it('are held back during a silence and sent once it is over', async () => {
    const a = await newAlert('1 hour');
    await a.send(95);
    const t0 = await since(a);
    await db.query(`insert into silences (team_id, host_id, starts_at, ends_at) values ($1, $2, $3, $4)`, [
      team.teamId,
      a.hostId,
      new Date(t0),
      new Date(t0 + 90 * MIN),
    ]);
    expect(await remindAt(a, t0 + 60 * MIN)).toEqual([]);
    expect(await remindAt(a, t0 + 91 * MIN)).toEqual([{ reason: 'firing for 1 h 31 min', notifications: 1 }]);
  });
});

describe('acknowledgement', () => {
  it('records who, when and the note, notifies it, stops reminders, and a resolved notice still goes out', async () => {
    const a = await newAlert('1 hour');
    await a.send(95);
    const t0 = await since(a);
    const { data, error } = await admin.rpc('acknowledge_alert', {
      p_rule_id: a.ruleId,
      p_host_id: a.hostId,
      p_note: '  on it  ',
    });
    expect(error).toBeNull();
    expect(data).toEqual(
      expect.objectContaining({ kind: 'acknowledged', actor_id: team.adminId, note: 'on it', from_status: 'firing' }),
    );
    expect((data as { actor_email: string }).actor_email).toMatch(/^admin-.*@test\.local$/);
    const state = await db.query(
      `select acknowledged_by, ack_note, acknowledged_at is not null as acked from alert_states where rule_id = $1`,
      [a.ruleId],
    );
    expect(state.rows[0]).toEqual({ acknowledged_by: team.adminId, ack_note: 'on it', acked: true });
    const ackNotices = await db.query(`select channel_id from notifications where event_id = $1`, [
      (data as { id: number }).id,
    ]);
    expect(ackNotices.rows).toEqual([{ channel_id: channelId }]);

    expect(await remindAt(a, t0 + 60 * MIN)).toEqual([]);
    expect(await remindAt(a, t0 + 10 * 60 * MIN)).toEqual([]);

    const again = await admin.rpc('acknowledge_alert', { p_rule_id: a.ruleId, p_host_id: a.hostId });
    expect(again.error).toEqual(expect.objectContaining({ code: 'PT409', details: 'already_acknowledged' }));

    await a.send(10);
    const resolved = await db.query<{ n: string }>(
      `select (select count(*) from notifications n where n.event_id = e.id) as n from alert_events e
       where e.rule_id = $1 and e.kind = 'resolved'`,
      [a.ruleId],
    );
    expect(resolved.rows).toEqual([{ n: '1' }]);
    expect(await kinds(a)).toEqual(['firing', 'acknowledged', 'resolved']);
    const cleared = await db.query(
      `select acknowledged_at, acknowledged_by, ack_note, status from alert_states where rule_id = $1`,
      [a.ruleId],
    );
    expect(cleared.rows[0]).toEqual({ acknowledged_at: null, acknowledged_by: null, ack_note: null, status: 'ok' });

    const notFiring = await admin.rpc('acknowledge_alert', { p_rule_id: a.ruleId, p_host_id: a.hostId });
    expect(notFiring.error).toEqual(expect.objectContaining({ code: 'PT409', details: 'alert_not_firing' }));
  });

  it('is cleared when the alert fires anew, and reminders resume from the new firing', async () => {
    const a = await newAlert('1 hour');
    await a.send(95);
    expect((await admin.rpc('acknowledge_alert', { p_rule_id: a.ruleId, p_host_id: a.hostId })).error).toBeNull();
    await a.send(10);
    await a.send(96);
    const t1 = await since(a);
    const st = await db.query(`select status, acknowledged_at from alert_states where rule_id = $1`, [a.ruleId]);
    expect(st.rows[0]).toEqual({ status: 'firing', acknowledged_at: null });
    expect(await remindAt(a, t1 + 60 * MIN)).toHaveLength(1);
  });

  it('is refused to viewers, to other teams and to bad input, changing nothing', async () => {
    const a = await newAlert('1 hour');
    await a.send(95);
    const viewer = await clientWith(team.viewerToken).rpc('acknowledge_alert', {
      p_rule_id: a.ruleId,
      p_host_id: a.hostId,
    });
    expect(viewer.error?.code).toBe('42501');
    expect(viewer.error?.message).toBe('Cannot acknowledge: only owners and admins of the team can acknowledge alerts');
    const stranger = await clientWith(other.adminToken).rpc('acknowledge_alert', {
      p_rule_id: a.ruleId,
      p_host_id: a.hostId,
    });
    expect(stranger.error).toEqual(expect.objectContaining({ code: 'PT404', details: 'alert_not_found' }));
    // Host metrics have the series ''; another series of this rule and host does not exist.
    const series = await admin.rpc('acknowledge_alert', {
      p_rule_id: a.ruleId,
      p_host_id: a.hostId,
      p_series: '/data',
    });
    expect(series.error).toEqual(expect.objectContaining({ code: 'PT404', details: 'alert_not_found' }));
    const long = await admin.rpc('acknowledge_alert', {
      p_rule_id: a.ruleId,
      p_host_id: a.hostId,
      p_note: 'x'.repeat(501),
    });
    expect(long.error?.code).toBe('22023');
    const anon = await clientWith(null).rpc('acknowledge_alert', { p_rule_id: a.ruleId, p_host_id: a.hostId });
    expect(anon.error).not.toBeNull();
    expect(await kinds(a)).toEqual(['firing']);
    const st = await db.query(`select acknowledged_at from alert_states where rule_id = $1`, [a.ruleId]);
    expect(st.rows[0]).toEqual({ acknowledged_at: null });
    // Another team sees none of this alert's events.
    expect((await clientWith(other.adminToken).from('alert_events').select('id').eq('rule_id', a.ruleId)).data).toEqual(
      [],
    );
  });
});

describe('messages', () => {
  it('a webhook receives the acknowledgement (who and note) and the reminder with their own titles', async () => {
    const rx = await startNotifyReceiver();
    try {
      const path = `/lc-${uniq()}`;
      const ch = await db.query<{ id: string }>(
        `insert into channels (team_id, name, kind) values ($1, $2, 'webhook') returning id`,
        [team.teamId, `hook-${uniq()}`],
      );
      const hook = ch.rows[0]!.id;
      await db.query(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
        hook,
        team.teamId,
        { url: rx.url(path) },
      ]);
      const a = await newAlert('1 hour');
      await db.query(`update alert_rules set channel_ids = $2 where id = $1`, [a.ruleId, [hook]]);
      await a.send(95);
      await rx.waitFor(path, 1);
      await admin.rpc('acknowledge_alert', { p_rule_id: a.ruleId, p_host_id: a.hostId, p_note: 'rebooting' });
      const acked = (await rx.waitFor(path, 2))[1]!.json as {
        title: string;
        alerts: { status: string; reason: string }[];
      };
      const host = (await db.query<{ name: string }>(`select name from hosts where id = $1`, [a.hostId])).rows[0]!.name;
      const rule = (await db.query<{ name: string }>(`select name from alert_rules where id = $1`, [a.ruleId])).rows[0]!
        .name;
      expect(acked.title).toBe(`Acknowledged: ${rule} on ${host}`);
      expect(acked.alerts[0]!.status).toBe('acknowledged');
      expect(acked.alerts[0]!.reason).toMatch(/^Acknowledged by admin-.*@test\.local: rebooting$/);

      // A second incident, unacknowledged: its reminder.
      await a.send(10);
      await rx.waitFor(path, 3);
      await a.send(97);
      await rx.waitFor(path, 4);
      await db.query(`select private.send_alert_reminders($1, $2)`, [
        new Date((await since(a)) + 60 * MIN),
        team.teamId,
      ]);
      const reminder = (await rx.waitFor(path, 5))[4]!.json as {
        title: string;
        alerts: { status: string; reason: string }[];
      };
      expect(reminder.title).toBe(`Still firing (warning): ${rule} on ${host}`);
      expect(reminder.alerts[0]).toEqual(
        expect.objectContaining({ status: 'reminder', reason: 'firing for 1 h 0 min' }),
      );
    } finally {
      await rx.close();
    }
  });
});
