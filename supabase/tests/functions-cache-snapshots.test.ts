/**
 * cache-snapshots through /functions/v1 and the Upstash-compatible endpoint: ingest wakes it
 * (pg_net, debounced), each host's ServerStats and the team's server list land in Upstash with the
 * high-tier TTLs (three sample intervals, 15–60 s), a host is written at most once per sample
 * interval, and the status reflects firing alerts.
 */
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostSnapshotKey,
  hostWriteGateKey,
  teamPersistGateKey,
  teamServersKey,
} from '../functions/_shared/cache-keys.ts';
import type { ServerStats } from '../functions/_shared/server-snapshot.ts';
import { createTeam, env, superuser, uniq, type TeamFixture } from './helpers.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const db = superuser();
const redis = new Redis({
  url: env.UPSTASH_REDIS_REST_URL,
  token: env.UPSTASH_REDIS_REST_TOKEN,
  enableTelemetry: false,
});
let team: TeamFixture;
afterAll(() => db.end());
beforeAll(async () => {
  team = await createTeam(db);
});

type Envelope<T> = { v: T; at: string };

async function waitForKey<T>(key: string, timeoutMs = 70_000): Promise<Envelope<T>> {
  return waitFor(() => redis.get<Envelope<T>>(key), { message: `${key} in Upstash`, timeoutMs });
}

async function invoke(): Promise<Record<string, number>> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/cache-snapshots`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` },
    body: '{"reason":"schedule"}',
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

describe('cache-snapshots', () => {
  it('writes host snapshots and the team server list with tiered TTLs after ingest', { timeout: 120_000 }, async () => {
    const fast = await db.query<{ id: string }>(
      `insert into hosts (team_id, name, sample_interval_s) values ($1, $2, 10) returning id`,
      [team.teamId, `a-fast-${uniq()}`],
    );
    const slow = await db.query<{ id: string }>(
      `insert into hosts (team_id, name, sample_interval_s) values ($1, $2, 30) returning id`,
      [team.teamId, `b-slow-${uniq()}`],
    );
    const fastId = fast.rows[0]!.id;
    const slowId = slow.rows[0]!.id;
    await db.query(
      `insert into alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id) values ($1, 'cpu', 'cpu_total', '>', 90, 'critical', 'host', $2)`,
      [team.teamId, fastId],
    );
    const ts = new Date(Date.now() - 2000);
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total, cpu_count, mem_total, mem_used, disk_total, disk_used, net_rx_bps, net_tx_bps, net_connections, uptime_s)
       values ($1, $3, 95.04, 8, 17179869184, 8589934592, 536870912000, 268435456000, 1024, 512, 245, 1209600),
              ($2, $3, 12.5, 2, 4294967296, 1073741824, 0, 0, 10, 20, 3, 60)`,
      [fastId, slowId, ts],
    );

    const host = await waitForKey<ServerStats>(hostSnapshotKey(fastId));
    expect(host.v).toEqual({
      id: fastId,
      name: expect.stringMatching(/^a-fast-/),
      status: 'critical',
      cpu: { usage: 95, cores: 8 },
      memory: { total: 16384, used: 8192, usage: 50 },
      disk: { total: 512000, used: 256000, usage: 50 },
      network: { rx: 1024, tx: 512, connections: 245 },
      uptime: 1209600,
      lastChecked: ts.toISOString(),
    });
    const list = await waitForKey<{ servers: ServerStats[] }>(teamServersKey(team.teamId));
    // Sorted by name; the fixture's host never reported, so it is offline with lastChecked null.
    expect(list.v.servers.map((s) => [s.id, s.status])).toEqual([
      [fastId, 'critical'],
      [slowId, 'healthy'],
      [team.hostId, 'offline'],
    ]);
    expect(list.v.servers[2]!.lastChecked).toBeNull();
    expect(list.v.servers[1]!.disk).toEqual({ total: 0, used: 0, usage: 0 });

    // High tier: three sample intervals, clamped to 15–60 s; the team list follows its fastest host.
    const ttlFast = await redis.ttl(hostSnapshotKey(fastId));
    const ttlSlow = await redis.ttl(hostSnapshotKey(slowId));
    const ttlList = await redis.ttl(teamServersKey(team.teamId));
    expect(ttlFast).toBeGreaterThan(20);
    expect(ttlFast).toBeLessThanOrEqual(30);
    expect(ttlSlow).toBeGreaterThan(50);
    expect(ttlSlow).toBeLessThanOrEqual(60);
    expect(ttlList).toBeGreaterThan(20);
    expect(ttlList).toBeLessThanOrEqual(30);
  });

  it('writes a host at most once per sample interval however often it runs', { timeout: 60_000 }, async () => {
    const h = await db.query<{ id: string }>(
      `insert into hosts (team_id, name, sample_interval_s) values ($1, $2, 20) returning id`,
      [team.teamId, `gate-${uniq()}`],
    );
    const id = h.rows[0]!.id;
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now() - interval '1 second', 30)`, [
      id,
    ]);
    await invoke(); // ingest's wake-up may be debounced by the previous test's
    const first = await waitForKey<ServerStats>(hostSnapshotKey(id), 5000);
    await invoke();
    await invoke();
    expect((await redis.get<Envelope<ServerStats>>(hostSnapshotKey(id)))!.at).toBe(first.at);
    const gate = await redis.ttl(hostWriteGateKey(id));
    expect(gate).toBeGreaterThan(0);
    expect(gate).toBeLessThanOrEqual(20);
    // Once the interval has passed (gate gone), the next run writes the new sample.
    await redis.del(hostWriteGateKey(id));
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now(), 77)`, [id]);
    await invoke();
    // The ingest wake-up may have won the gate instead of this run; either way the new sample lands.
    let next = (await redis.get<Envelope<ServerStats>>(hostSnapshotKey(id)))!;
    for (let i = 0; i < 50 && next.v.cpu.usage !== 77; i++) {
      await new Promise((r) => setTimeout(r, 100));
      next = (await redis.get<Envelope<ServerStats>>(hostSnapshotKey(id)))!;
    }
    expect(next.v.cpu.usage).toBe(77);
    expect(next.at).not.toBe(first.at);
  });

  it('persists each team server list to metrics at most once per persist interval, and prunes old ones', {
    timeout: 60_000,
  }, async () => {
    const other = await createTeam(db);
    const h = await db.query<{ id: string }>(
      `insert into hosts (team_id, name, sample_interval_s) values ($1, $2, 10) returning id`,
      [other.teamId, `persist-${uniq()}`],
    );
    const key = teamServersKey(other.teamId);
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now() - interval '1 second', 42)`, [
      h.rows[0]!.id,
    ]);
    const rows = () =>
      db.query<{ key: string; data: { servers: ServerStats[] }; timestamp: Date }>(
        `select key, data, timestamp from metrics where team_id = $1 order by timestamp`,
        [other.teamId],
      );
    await invoke();
    const first = await waitFor(async () => ((await rows()).rows.length > 0 ? (await rows()).rows : null), {
      message: 'a persisted snapshot in metrics',
      timeoutMs: 10_000,
    });
    expect(first).toHaveLength(1);
    expect(first[0]!.key).toBe(key);
    const persisted = first[0]!.data.servers.find((s) => s.id === h.rows[0]!.id);
    expect(persisted).toMatchObject({ cpu: { usage: 42 }, status: 'healthy' });
    // The gate holds for the persist interval (300 s by default): more runs add nothing.
    expect(await redis.ttl(teamPersistGateKey(other.teamId))).toBeGreaterThan(250);
    await invoke();
    await invoke();
    expect((await rows()).rows).toHaveLength(1);
    // Past the interval (gate gone), the next run with fresh samples persists again.
    await redis.del(teamPersistGateKey(other.teamId));
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now(), 43)`, [h.rows[0]!.id]);
    await invoke();
    expect((await rows()).rows).toHaveLength(2);

    // Retention: rows older than the team's snapshot_retention go, newer ones stay, other teams untouched.
    await db.query(`update team_settings set snapshot_retention = interval '1 day' where team_id = $1`, [other.teamId]);
    await db.query(
      `insert into metrics (team_id, key, data, timestamp) values ($1, $2, '{}', now() - interval '2 days')`,
      [other.teamId, key],
    );
    await db.query(
      `insert into metrics (team_id, key, data, timestamp) values ($1, $2, '{}', now() - interval '2 days')`,
      [team.teamId, teamServersKey(team.teamId)],
    );
    const pruned = await db.query<{ n: number }>(`select private.prune_metric_snapshots() as n`);
    expect(pruned.rows[0]!.n).toBeGreaterThanOrEqual(1);
    expect((await rows()).rows).toHaveLength(2);
    const kept = await db.query(`select 1 from metrics where team_id = $1 and timestamp < now() - interval '1 day'`, [
      team.teamId,
    ]);
    expect(kept.rowCount).toBe(1);
    const bad = await db
      .query(`update team_settings set snapshot_retention = interval '1 hour' where team_id = $1`, [other.teamId])
      .catch((e: Error) => e);
    expect(String(bad)).toMatch(/team_settings_snapshot_retention_range/);
  });
});
