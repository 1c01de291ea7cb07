/**
 * Maintenance windows: events inside a window are recorded (suppressed_by 'maintenance') but queue no
 * notification; one-off, weekly (in a zone without and one with DST) and cron windows open and close at the
 * right instants (explicit timestamps, no sleeping); scope by host and by labels; validation errors say what
 * to fix and change nothing; viewers read, admins write, another team sees nothing.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

async function newHost(labels: Record<string, string> = {}): Promise<string> {
  const h = await db.query<{ id: string }>(
    `insert into hosts (team_id, name, labels) values ($1, $2, $3) returning id`,
    [team.teamId, `mw-${uniq()}`, labels],
  );
  return h.rows[0]!.id;
}

/** A rule that fires on any CPU sample of this host, notifying the team's channel. */
async function fireOn(hostId: string): Promise<string> {
  const r = await db.query<{ id: string }>(
    `insert into alert_rules (team_id, name, metric, operator, threshold, scope, scope_host_id, channel_ids)
     values ($1, $2, 'cpu_total', '>', 50, 'host', $3, $4) returning id`,
    [team.teamId, `mw-rule-${uniq()}`, hostId, [channelId]],
  );
  await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now() - interval '1 second', 99)`, [
    hostId,
  ]);
  return r.rows[0]!.id;
}

async function firing(ruleId: string) {
  const ev = await db.query<{
    id: string;
    silenced: boolean;
    suppressed_by: string | null;
    maintenance_window_id: string | null;
  }>(
    `select id, silenced, suppressed_by, maintenance_window_id from alert_events where rule_id = $1 and kind = 'firing'`,
    [ruleId],
  );
  expect(ev.rows).toHaveLength(1);
  const n = await db.query(`select 1 from notifications where event_id = $1`, [ev.rows[0]!.id]);
  return { ...ev.rows[0]!, notifications: n.rowCount };
}

async function addWindow(fields: Record<string, unknown>, client = admin): Promise<string> {
  const { data, error } = await client
    .from('maintenance_windows')
    .insert({ team_id: team.teamId, name: `w-${uniq()}`, ...fields })
    .select('id')
    .single();
  if (error) throw new Error(`Cannot add window: ${error.message}`);
  return data.id as string;
}

/** Whether the window suppresses this host at the instant `at` (the check record_alert_event makes). */
async function suppressedAt(hostId: string, at: string): Promise<string | null> {
  const r = await db.query<{ suppressed_by: string | null; maintenance_window_id: string | null }>(
    `select (s).* from (select private.alert_suppression($1, h.id, null, h.labels, $2::timestamptz) s from hosts h where h.id = $3) x`,
    [team.teamId, at, hostId],
  );
  return r.rows[0]!.maintenance_window_id;
}

describe('maintenance windows suppress notifications, not events', () => {
  it('records a firing inside a one-off window scoped to the host as suppressed by maintenance, with no outbox row', async () => {
    const inside = await newHost();
    const outside = await newHost();
    const w = await addWindow({
      kind: 'once',
      starts_at: new Date(Date.now() - 3_600_000).toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      scope: 'hosts',
      host_ids: [inside],
    });
    expect(await firing(await fireOn(inside))).toEqual(
      expect.objectContaining({
        silenced: true,
        suppressed_by: 'maintenance',
        maintenance_window_id: w,
        notifications: 0,
      }),
    );
    expect(await firing(await fireOn(outside))).toEqual(
      expect.objectContaining({ silenced: false, suppressed_by: null, maintenance_window_id: null, notifications: 1 }),
    );
  });

  it('scopes by labels: only hosts whose labels contain the window labels', async () => {
    const env = `maint-${uniq()}`;
    const matching = await newHost({ env, role: 'db' });
    const partly = await newHost({ env: `${env}-other`, role: 'db' });
    const w = await addWindow({
      kind: 'once',
      starts_at: new Date(Date.now() - 60_000).toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      scope: 'labels',
      labels: { env, role: 'db' },
    });
    expect(await firing(await fireOn(matching))).toEqual(
      expect.objectContaining({ suppressed_by: 'maintenance', maintenance_window_id: w, notifications: 0 }),
    );
    expect(await firing(await fireOn(partly))).toEqual(
      expect.objectContaining({ suppressed_by: null, notifications: 1 }),
    );
  });

  it('tells a silence apart from a maintenance window in the audit trail', async () => {
    const hostId = await newHost();
    await db.query(
      `insert into silences (team_id, host_id, ends_at, comment) values ($1, $2, now() + interval '1 hour', 'x')`,
      [team.teamId, hostId],
    );
    expect(await firing(await fireOn(hostId))).toEqual(
      expect.objectContaining({
        silenced: true,
        suppressed_by: 'silence',
        maintenance_window_id: null,
        notifications: 0,
      }),
    );
  });

  it('ignores a disabled window and one that is over', async () => {
    const hostId = await newHost();
    const scope = { scope: 'hosts', host_ids: [hostId] };
    await addWindow({
      kind: 'once',
      starts_at: new Date(Date.now() - 7_200_000).toISOString(),
      ends_at: new Date(Date.now() - 3_600_000).toISOString(),
      ...scope,
    });
    await addWindow({
      kind: 'once',
      starts_at: new Date(Date.now() - 60_000).toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      enabled: false,
      ...scope,
    });
    expect(await firing(await fireOn(hostId))).toEqual(expect.objectContaining({ silenced: false, notifications: 1 }));
  });
});

describe('recurring windows open at local times', () => {
  it('weekly in UTC: Monday 22:00 to 02:00 the next day, every week', async () => {
    const hostId = await newHost();
    const w = await addWindow({
      kind: 'weekly',
      time_zone: 'UTC',
      weekdays: [1],
      start_time: '22:00',
      end_time: '02:00',
      scope: 'hosts',
      host_ids: [hostId],
    });
    // 2026-03-02 and 2026-03-09 are Mondays.
    expect(await suppressedAt(hostId, '2026-03-02T21:59:59Z')).toBeNull();
    expect(await suppressedAt(hostId, '2026-03-02T22:00:00Z')).toBe(w);
    expect(await suppressedAt(hostId, '2026-03-03T01:59:59Z')).toBe(w);
    expect(await suppressedAt(hostId, '2026-03-03T02:00:00Z')).toBeNull();
    expect(await suppressedAt(hostId, '2026-03-09T23:00:00Z')).toBe(w);
    expect(await suppressedAt(hostId, '2026-03-04T23:00:00Z')).toBeNull();
  });

  it('weekly in America/New_York keeps 22:00 local across the DST change (03:00Z before, 02:00Z after)', async () => {
    const hostId = await newHost();
    const w = await addWindow({
      kind: 'weekly',
      time_zone: 'America/New_York',
      weekdays: [1],
      start_time: '22:00',
      end_time: '23:30',
      scope: 'hosts',
      host_ids: [hostId],
    });
    // DST starts 2026-03-08: Monday 03-02 22:00 EST = 03:00Z, Monday 03-09 22:00 EDT = 02:00Z.
    expect(await suppressedAt(hostId, '2026-03-03T02:30:00Z')).toBeNull();
    expect(await suppressedAt(hostId, '2026-03-03T03:00:00Z')).toBe(w);
    expect(await suppressedAt(hostId, '2026-03-10T02:00:00Z')).toBe(w);
    expect(await suppressedAt(hostId, '2026-03-10T03:29:59Z')).toBe(w);
    expect(await suppressedAt(hostId, '2026-03-10T03:30:00Z')).toBeNull();
    const next = async (at: string) => {
      const { data, error } = await admin.rpc('next_maintenance_windows', { p_team_id: team.teamId, p_at: at });
      expect(error).toBeNull();
      const row = (data as { window_id: string; starts_at: string; ends_at: string; active: boolean }[]).find(
        (r) => r.window_id === w,
      )!;
      return {
        starts: new Date(row.starts_at).toISOString(),
        ends: new Date(row.ends_at).toISOString(),
        active: row.active,
      };
    };
    expect(await next('2026-03-01T00:00:00Z')).toEqual({
      starts: '2026-03-03T03:00:00.000Z',
      ends: '2026-03-03T04:30:00.000Z',
      active: false,
    });
    expect(await next('2026-03-05T00:00:00Z')).toEqual({
      starts: '2026-03-10T02:00:00.000Z',
      ends: '2026-03-10T03:30:00.000Z',
      active: false,
    });
    expect(await next('2026-03-10T03:00:00Z')).toEqual({
      starts: '2026-03-10T02:00:00.000Z',
      ends: '2026-03-10T03:30:00.000Z',
      active: true,
    });
  });

  it('cron: "*/15 * * * *" for 5 minutes, and "0 2 * * sun" in Europe/Berlin across its DST change', async () => {
    const hostId = await newHost();
    const quarter = await addWindow({
      kind: 'cron',
      cron: '*/15 * * * *',
      duration: '5 minutes',
      scope: 'hosts',
      host_ids: [hostId],
    });
    expect(await suppressedAt(hostId, '2026-06-01T10:15:00Z')).toBe(quarter);
    expect(await suppressedAt(hostId, '2026-06-01T10:19:59Z')).toBe(quarter);
    expect(await suppressedAt(hostId, '2026-06-01T10:20:00Z')).toBeNull();
    await db.query(`update maintenance_windows set enabled = false where id = $1`, [quarter]);

    const sunday = await addWindow({
      kind: 'cron',
      cron: '0 2 * * sun',
      time_zone: 'Europe/Berlin',
      duration: '2 hours',
      scope: 'hosts',
      host_ids: [hostId],
    });
    // 2026-03-22 02:00 CET = 01:00Z; 2026-04-05 02:00 CEST = 00:00Z; Monday 2026-03-23 never.
    expect(await suppressedAt(hostId, '2026-03-22T01:00:00Z')).toBe(sunday);
    expect(await suppressedAt(hostId, '2026-03-22T00:59:59Z')).toBeNull();
    expect(await suppressedAt(hostId, '2026-04-05T00:00:00Z')).toBe(sunday);
    expect(await suppressedAt(hostId, '2026-04-05T02:00:00Z')).toBeNull();
    expect(await suppressedAt(hostId, '2026-03-23T01:30:00Z')).toBeNull();
  });
});

describe('validation', () => {
  async function refused(fields: Record<string, unknown>): Promise<{ code?: string; message?: string }> {
    const name = `bad-${uniq()}`;
    const { error } = await admin.from('maintenance_windows').insert({ team_id: team.teamId, name, ...fields });
    const left = await db.query(`select 1 from maintenance_windows where name = $1`, [name]);
    expect(left.rowCount).toBe(0);
    return { code: error?.code, message: error?.message };
  }

  it('refuses bad cron expressions, zones, durations, days and hosts with a message saying what to fix', async () => {
    expect(await refused({ kind: 'cron', cron: '0 2 * *', duration: '1 hour' })).toEqual({
      code: '22023',
      message:
        'Invalid cron expression "0 2 * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4',
    });
    expect(await refused({ kind: 'cron', cron: '0 25 * * *', duration: '1 hour' })).toEqual({
      code: '22023',
      message: 'Invalid cron expression "0 25 * * *": the hour field allows 0–23, got "25"',
    });
    expect((await refused({ kind: 'cron', cron: '0 0 31 feb *', duration: '1 hour' })).message).toBe(
      'Invalid cron expression "0 0 31 feb *": it never matches a date (in the next 5 years)',
    );
    expect((await refused({ kind: 'cron', cron: '0 2 * * *', duration: '8 days' })).message).toMatch(
      /duration between 1 minute and 7 days/,
    );
    expect(
      await refused({
        kind: 'weekly',
        weekdays: [1],
        start_time: '01:00',
        end_time: '02:00',
        time_zone: 'Mars/Olympus',
      }),
    ).toEqual({
      code: '22023',
      message: 'Cannot save the maintenance window: unknown time zone "Mars/Olympus"',
    });
    expect((await refused({ kind: 'weekly', weekdays: [0], start_time: '01:00', end_time: '02:00' })).message).toMatch(
      /1 \(Monday\) to 7 \(Sunday\)/,
    );
    expect(
      (await refused({ kind: 'once', starts_at: '2026-01-02T00:00:00Z', ends_at: '2026-01-01T00:00:00Z' })).message,
    ).toMatch(/ends_at after it/);
    expect(
      await refused({
        kind: 'once',
        starts_at: '2026-01-01T00:00:00Z',
        ends_at: '2026-01-02T00:00:00Z',
        scope: 'hosts',
        host_ids: [other.hostId],
      }),
    ).toEqual({
      code: '22023',
      message: `Cannot save the maintenance window: host ${other.hostId} is not a host of this team`,
    });
    expect(
      (
        await refused({
          kind: 'once',
          starts_at: '2026-01-01T00:00:00Z',
          ends_at: '2026-01-02T00:00:00Z',
          scope: 'labels',
          labels: { env: 1 },
        })
      ).message,
    ).toMatch(/text value/);
  });
});

describe('who may see and change windows', () => {
  it('lets viewers read but not write, and shows another team nothing', async () => {
    const w = await addWindow({
      kind: 'cron',
      cron: '@daily',
      duration: '1 hour',
      scope: 'hosts',
      host_ids: [await newHost()],
    });
    const viewer = clientWith(team.viewerToken);
    const read = await viewer.from('maintenance_windows').select('id').eq('id', w);
    expect(read.data).toEqual([{ id: w }]);
    const ins = await viewer
      .from('maintenance_windows')
      .insert({ team_id: team.teamId, name: 'v', kind: 'cron', cron: '@daily', duration: '1 hour' });
    expect(ins.error?.code).toBe('42501');
    const stranger = clientWith(other.adminToken);
    expect((await stranger.from('maintenance_windows').select('id').eq('id', w)).data).toEqual([]);
    const next = await stranger.rpc('next_maintenance_windows', { p_team_id: team.teamId });
    expect(next.error).toBeNull();
    expect(next.data).toEqual([]);
    await stranger.from('maintenance_windows').delete().eq('id', w);
    expect((await db.query(`select 1 from maintenance_windows where id = $1`, [w])).rowCount).toBe(1);
  });
});
