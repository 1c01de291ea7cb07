/**
 * The access matrix, through supabase-js against the stack: (anon, agent of host A, viewer of team 1,
 * admin of team 1, admin of team 2, service role) × (select, insert, update, delete) × every table.
 * Each cell seeds a team-1 row with the service role, tries the operation as the role, and checks
 * the outcome with the service role, so "allowed" means the row really was read or changed.
 */
import { createHash } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, createUser, serviceClient, superuser, uniq, type TeamFixture } from './helpers.ts';

type Role = 'anon' | 'agent' | 'viewer' | 'admin' | 'otherTeam' | 'service';
type Op = 'select' | 'insert' | 'update' | 'delete';
type Row = Record<string, unknown>;
const ROLES: Role[] = ['anon', 'agent', 'viewer', 'admin', 'otherTeam', 'service'];

interface Spec {
  /** A fresh team-1 row (inserted by the service role before select/update/delete). */
  row: () => Promise<Row> | Row;
  /** Columns that identify the row. */
  key: string[];
  /** An update that is visible afterwards. */
  patch: () => Row;
  /** Roles allowed each operation (service role is always expected to be allowed). */
  allow: Record<Op, Role[]>;
  /** Restores the row when the table must always hold one per key (team_settings). */
  permanent?: boolean;
  /** Runs after seeding (e.g. makes the team-1 users members of a fresh team). */
  afterSeed?: (row: Row) => Promise<void>;
}

const db = superuser();
const service = serviceClient();
let t1: TeamFixture;
let t2: TeamFixture;
let clients: Record<Role, SupabaseClient>;
let extraUsers: string[] = [];
let ruleId: string;
let channelId: string;
let eventId: number;
let tsCounter = 0;
const recentTs = () => new Date(Date.now() - 60_000 - ++tsCounter * 1000).toISOString();

const members: Role[] = ['viewer', 'admin'];
const admins: Role[] = ['admin'];
const withAgent: Role[] = ['agent', 'viewer', 'admin'];
const none: Role[] = [];

function specs(): Record<string, Spec> {
  const team_id = t1.teamId;
  const host_id = t1.hostId;
  const memberOnly = (extra: Partial<Record<Op, Role[]>> = {}) => ({
    select: members,
    insert: none,
    update: none,
    delete: none,
    ...extra,
  });
  const managed = { select: members, insert: admins, update: admins, delete: admins };
  return {
    teams: {
      row: () => ({ name: `t-${uniq()}` }),
      key: ['id'],
      patch: () => ({ name: `renamed-${uniq()}` }),
      // viewer/admin/otherTeam may create new teams of their own; only owners delete.
      allow: { select: members, insert: ['viewer', 'admin', 'otherTeam'], update: admins, delete: none },
      afterSeed: async (row) => {
        await db.query(
          `insert into public.team_members (team_id, user_id, role) values ($1, $2, 'admin'), ($1, $3, 'viewer')`,
          [row.id, t1.adminId, t1.viewerId],
        );
      },
    },
    // Members join only by accepting an invitation (accept_invitation): no API role inserts directly.
    team_members: {
      row: () => ({ team_id, user_id: extraUsers[0], role: 'viewer' }),
      key: ['team_id', 'user_id'],
      patch: () => ({ role: 'admin' }),
      allow: { ...managed, insert: none },
    },
    // Created, accepted and revoked through the invitation functions; the invitee's own read is in team-invitations.test.ts.
    team_invitations: {
      row: () => ({
        team_id,
        email: `invitee-${uniq()}@example.test`,
        token_hash: createHash('sha256').update(uniq()).digest('hex'),
      }),
      key: ['id'],
      patch: () => ({ role: 'admin' }),
      allow: { select: admins, insert: none, update: none, delete: admins },
    },
    hosts: {
      row: () => ({ team_id, name: `h-${uniq()}` }),
      key: ['id'],
      patch: () => ({ name: `h2-${uniq()}` }),
      allow: managed,
    },
    enrollment_tokens: {
      row: () => ({ team_id, host_id, token_hash: (uniq() + '0'.repeat(64)).slice(0, 64).replace(/[^0-9a-f]/g, 'a') }),
      key: ['id'],
      patch: () => ({ used_by: t1.agentUserId }),
      allow: { select: admins, insert: none, update: none, delete: admins },
    },
    host_samples: {
      row: () => ({ host_id, ts: recentTs(), cpu_total: 1 }),
      key: ['host_id', 'ts'],
      patch: () => ({ cpu_total: 42 }),
      allow: { select: withAgent, insert: ['agent'], update: none, delete: none },
    },
    app_samples: {
      row: () => ({ host_id, ts: recentTs(), check_name: 'web', status: 'up' }),
      key: ['host_id', 'check_name', 'ts'],
      patch: () => ({ status: 'down' }),
      allow: { select: withAgent, insert: ['agent'], update: none, delete: none },
    },
    db_samples: {
      row: () => ({ host_id, ts: recentTs(), db_name: 'app' }),
      key: ['host_id', 'db_name', 'ts'],
      patch: () => ({ deadlocks: 7 }),
      allow: { select: withAgent, insert: ['agent'], update: none, delete: none },
    },
    host_latest: {
      row: () => ({ host_id, team_id, ts: recentTs() }),
      key: ['host_id'],
      patch: () => ({ cpu_total: 42 }),
      allow: { select: withAgent, insert: none, update: none, delete: none },
    },
    host_samples_1m: {
      row: () => ({ host_id, bucket: recentTs(), samples: 1 }),
      key: ['host_id', 'bucket'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    host_samples_1h: {
      row: () => ({ host_id, bucket: recentTs(), samples: 1 }),
      key: ['host_id', 'bucket'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    app_samples_1m: {
      row: () => ({ host_id, check_name: 'web', bucket: recentTs(), samples: 1 }),
      key: ['host_id', 'check_name', 'bucket'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    app_samples_1h: {
      row: () => ({ host_id, check_name: 'web', bucket: recentTs(), samples: 1 }),
      key: ['host_id', 'check_name', 'bucket'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    host_samples_compact: {
      row: () => ({ host_id, hour: recentTs(), samples: 0, data: '\\x01' }),
      key: ['host_id', 'hour'],
      patch: () => ({ samples: 9 }),
      allow: { select: withAgent, insert: none, update: none, delete: none },
    },
    // Mount, disk, interface and container rows: written only by the host_samples fan-out trigger.
    host_mount_samples: {
      row: () => ({ host_id, ts: recentTs(), mount: '/', total: 100, used: 10 }),
      key: ['host_id', 'mount', 'ts'],
      patch: () => ({ used: 42 }),
      allow: { select: withAgent, insert: none, update: none, delete: none },
    },
    host_disk_samples: {
      row: () => ({ host_id, ts: recentTs(), device: 'sda', read_bps: 1 }),
      key: ['host_id', 'device', 'ts'],
      patch: () => ({ read_bps: 42 }),
      allow: { select: withAgent, insert: none, update: none, delete: none },
    },
    host_interface_samples: {
      row: () => ({ host_id, ts: recentTs(), interface: 'eth0', rx_bps: 1 }),
      key: ['host_id', 'interface', 'ts'],
      patch: () => ({ rx_bps: 42 }),
      allow: { select: withAgent, insert: none, update: none, delete: none },
    },
    container_samples: {
      row: () => ({ host_id, ts: recentTs(), container_id: 'c0ffee', name: 'web', cpu_percent: 1 }),
      key: ['host_id', 'container_id', 'ts'],
      patch: () => ({ cpu_percent: 42 }),
      allow: { select: withAgent, insert: none, update: none, delete: none },
    },
    host_series_1m: {
      row: () => ({ host_id, source: 'mount', metric: 'percent', key: '/', bucket: recentTs(), samples: 1 }),
      key: ['host_id', 'source', 'metric', 'key', 'bucket'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    host_series_1h: {
      row: () => ({ host_id, source: 'disk', metric: 'read_bps', key: 'sda', bucket: recentTs(), samples: 1 }),
      key: ['host_id', 'source', 'metric', 'key', 'bucket'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    host_series_compact: {
      row: () => ({ host_id, source: 'interface', key: 'eth0', hour: recentTs(), samples: 1, data: { ts: [1] } }),
      key: ['host_id', 'source', 'key', 'hour'],
      patch: () => ({ samples: 9 }),
      allow: memberOnly(),
    },
    channels: {
      row: () => ({ team_id, name: `c-${uniq()}`, kind: 'slack' }),
      key: ['id'],
      patch: () => ({ enabled: false }),
      allow: managed,
    },
    channel_secrets: {
      row: async () => {
        const c = await service
          .from('channels')
          .insert({ team_id, name: `c-${uniq()}`, kind: 'webhook' })
          .select('id')
          .single();
        return { channel_id: c.data!.id, team_id, config: { url: 'https://example.test/hook' } };
      },
      key: ['channel_id'],
      patch: () => ({ config: { url: 'https://example.test/other' } }),
      // Nobody reads config through the API (column grants): admins see settings without secrets via channel_settings.
      allow: { select: none, insert: admins, update: admins, delete: admins },
    },
    alert_rules: {
      row: () => ({ team_id, name: `r-${uniq()}`, metric: 'cpu_total', threshold: 90 }),
      key: ['id'],
      patch: () => ({ threshold: 95 }),
      allow: managed,
    },
    alert_states: {
      row: () => ({ rule_id: ruleId, host_id, team_id, status: 'ok' }),
      key: ['rule_id', 'host_id'],
      patch: () => ({ status: 'firing' }),
      allow: memberOnly(),
    },
    alert_events: {
      row: () => ({
        team_id,
        host_id,
        kind: 'firing',
        from_status: 'ok',
        to_status: 'firing',
        rule_name: 'x',
        metric: 'cpu_total',
        severity: 'warning',
        occurred_at: new Date().toISOString(),
      }),
      key: ['id'],
      patch: () => ({ reason: 'changed' }),
      allow: memberOnly(),
    },
    silences: {
      row: () => ({ team_id, ends_at: new Date(Date.now() + 3_600_000).toISOString(), comment: 'maintenance' }),
      key: ['id'],
      patch: () => ({ comment: 'changed' }),
      allow: managed,
    },
    maintenance_windows: {
      // Long over, so it never holds back another test's notifications.
      row: () => ({
        team_id,
        name: `w-${uniq()}`,
        kind: 'once',
        starts_at: '2020-01-01T00:00:00Z',
        ends_at: '2020-01-01T01:00:00Z',
      }),
      key: ['id'],
      patch: () => ({ name: `renamed-${uniq()}` }),
      allow: managed,
    },
    notifications: {
      row: () => ({ team_id, event_id: eventId, channel_id: channelId }),
      key: ['id'],
      patch: () => ({ status: 'sent' }),
      allow: memberOnly(),
    },
    notification_error_details: {
      row: async () => {
        const c = await service
          .from('channels')
          .insert({ team_id, name: `c-${uniq()}`, kind: 'webhook' })
          .select('id')
          .single();
        // Already settled, so the dispatcher (woken by the insert) leaves it and its detail alone.
        const n = await service
          .from('notifications')
          .insert({ team_id, event_id: eventId, channel_id: c.data!.id, status: 'failed' })
          .select('id')
          .single();
        return { notification_id: n.data!.id, team_id, detail: 'Cannot reach Webhook at https://internal.example' };
      },
      key: ['notification_id'],
      patch: () => ({ detail: 'changed' }),
      allow: { select: admins, insert: none, update: none, delete: none },
    },
    team_settings: {
      row: () => ({ team_id }),
      key: ['team_id'],
      patch: () => ({ offline_after_intervals: 7 }),
      allow: { select: members, insert: none, update: admins, delete: none },
      permanent: true,
    },
    metrics: {
      row: () => ({ team_id, key: `k-${uniq()}`, data: { cpu: 1 } }),
      key: ['id'],
      patch: () => ({ key: 'changed' }),
      allow: { select: members, insert: members, update: none, delete: admins },
    },
    anomaly_baselines: {
      row: () => ({ host_id, team_id, metric: `m-${uniq()}`, hour_of_week: 3, expected: 1, band: 1 }),
      key: ['host_id', 'metric', 'hour_of_week'],
      patch: () => ({ expected: 2 }),
      allow: memberOnly(),
    },
  };
}

/** A query builder narrowed to the one method filter() calls. */
interface Eq<Q> {
  eq(column: string, value: unknown): Q;
}

// Q is not constrained to Eq<Q>: checking supabase-js's generic builders against it is "excessively deep" for tsc.
function filter<Q>(q: Q, row: Row, key: string[]): Q {
  // An empty filter would touch every row of the shared test database.
  if (key.length === 0 || key.some((k) => row[k] === undefined))
    throw new Error(`No key values to filter on: ${key.join(', ')}`);
  return key.reduce((acc, k) => (acc as Eq<Q>).eq(k, row[k]), q);
}

async function seed(table: string, spec: Spec): Promise<Row> {
  const row = await spec.row();
  if (spec.permanent) return row;
  // One row per key tables (host_latest, alert_states) may already hold a row written by the triggers.
  if (spec.key.every((k) => k in row)) await filter(service.from(table).delete(), row, spec.key);
  const { data, error } = await service.from(table).insert(row).select().single();
  if (error) throw new Error(`Seeding ${table} failed: ${error.message}`);
  await spec.afterSeed?.(data as Row);
  return data as Row;
}

async function exists(table: string, row: Row, key: string[]): Promise<Row | null> {
  const { data, error } = await filter(service.from(table).select('*'), row, key);
  if (error) throw new Error(`Checking ${table} failed: ${error.message}`);
  return (data?.[0] as Row) ?? null;
}

async function cleanup(table: string, spec: Spec, row: Row): Promise<void> {
  if (spec.permanent) {
    await service.from(table).upsert({ ...row, offline_after_intervals: 3 });
    return;
  }
  await filter(service.from(table).delete(), row, spec.key);
}

/** Whether `role` managed to perform `op` on a fresh team-1 row of `table`. */
async function attempt(table: string, spec: Spec, role: Role, op: Op): Promise<boolean> {
  const client = clients[role];
  if (op === 'insert') {
    const row = await spec.row();
    if (spec.permanent) await filter(service.from(table).delete(), row, spec.key);
    const { error } = await client.from(table).insert(row);
    // Find the inserted row by its scalar values (the key may be generated, e.g. id).
    const lookup = Object.keys(row).filter((k) => row[k] === null || typeof row[k] !== 'object');
    const found = error ? null : await exists(table, row, lookup);
    if (found) await cleanup(table, spec, found);
    else if (spec.permanent) await service.from(table).insert(row);
    return !error && found !== null;
  }
  const row = await seed(table, spec);
  try {
    if (op === 'select') {
      const { data } = await filter(client.from(table).select('*'), row, spec.key);
      return (data?.length ?? 0) === 1;
    }
    if (op === 'update') {
      const patch = spec.patch();
      await filter(client.from(table).update(patch), row, spec.key);
      const after = await exists(table, row, spec.key);
      const [col, val] = Object.entries(patch)[0]!;
      return JSON.stringify(after?.[col]) === JSON.stringify(val);
    }
    await filter(client.from(table).delete(), row, spec.key);
    return (await exists(table, row, spec.key)) === null;
  } finally {
    await cleanup(table, spec, row);
  }
}

beforeAll(async () => {
  [t1, t2] = await Promise.all([createTeam(db), createTeam(db)]);
  extraUsers = [await createUser('extra')];
  clients = {
    anon: clientWith(null),
    agent: clientWith(t1.agentToken),
    viewer: clientWith(t1.viewerToken),
    admin: clientWith(t1.adminToken),
    otherTeam: clientWith(t2.adminToken),
    service,
  };
  const rule = await service
    .from('alert_rules')
    .insert({ team_id: t1.teamId, name: 'matrix', metric: 'cpu_total', threshold: 99 })
    .select('id')
    .single();
  ruleId = rule.data!.id;
  const channel = await service
    .from('channels')
    .insert({ team_id: t1.teamId, name: 'matrix', kind: 'email' })
    .select('id')
    .single();
  channelId = channel.data!.id;
  const event = await service
    .from('alert_events')
    .insert({
      team_id: t1.teamId,
      kind: 'firing',
      from_status: 'ok',
      to_status: 'firing',
      rule_name: 'm',
      metric: 'cpu_total',
      severity: 'warning',
      occurred_at: new Date().toISOString(),
    })
    .select('id')
    .single();
  eventId = event.data!.id;
});
afterAll(() => db.end());

describe('access matrix', () => {
  it('covers every table in public', async () => {
    const { rows } = await db.query<{ name: string }>(
      `select relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where nspname = 'public' and relkind in ('r', 'p') and not relispartition order by 1`,
    );
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(specs()).sort());
  });

  for (const table of Object.keys({
    ...{
      teams: 0,
      team_members: 0,
      team_invitations: 0,
      hosts: 0,
      enrollment_tokens: 0,
      host_samples: 0,
      app_samples: 0,
      db_samples: 0,
      host_latest: 0,
      host_samples_1m: 0,
      host_samples_1h: 0,
      app_samples_1m: 0,
      app_samples_1h: 0,
      host_samples_compact: 0,
      host_mount_samples: 0,
      host_disk_samples: 0,
      host_interface_samples: 0,
      container_samples: 0,
      host_series_1m: 0,
      host_series_1h: 0,
      host_series_compact: 0,
      channels: 0,
      channel_secrets: 0,
      alert_rules: 0,
      alert_states: 0,
      alert_events: 0,
      silences: 0,
      maintenance_windows: 0,
      notifications: 0,
      notification_error_details: 0,
      team_settings: 0,
      metrics: 0,
      anomaly_baselines: 0,
    },
  })) {
    it(`grants exactly the intended cells on ${table}`, async () => {
      const spec = specs()[table]!;
      const got: string[] = [];
      const want: string[] = [];
      for (const op of ['select', 'insert', 'update', 'delete'] as Op[]) {
        for (const role of ROLES) {
          if (role === 'service' || spec.allow[op].includes(role)) want.push(`${op}:${role}`);
          if (await attempt(table, spec, role, op)) got.push(`${op}:${role}`);
        }
      }
      expect(got).toEqual(want);
    });
  }
});
