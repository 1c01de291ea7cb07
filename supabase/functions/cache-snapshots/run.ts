/**
 * One cache-snapshots run: each fresh host's ServerStats and each touched team's server list go to
 * Upstash with high-tier TTLs (three sample intervals, 15–60 s). A write gate (SET NX EX interval)
 * keeps it to one write per host per sample interval however often ingest wakes the function.
 * When a snapshot store is given, each touched team's server list is also persisted to the
 * `metrics` table (the seed's persistToDatabase) at most once per `everyS`, behind a second gate.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../_shared/database.types.ts';
import type { Redis } from '@upstash/redis';
import { hostSnapshotKey, hostWriteGateKey, teamPersistGateKey, teamServersKey } from '../_shared/cache-keys.ts';
import { encodeEnvelope, type SnapshotStore } from '../_shared/hybrid-storage.ts';
import {
  serverStatus,
  toServerStats,
  type HostRow,
  type LatestRow,
  type ServerStats,
} from '../_shared/server-snapshot.ts';
import { ttlSeconds } from '../_shared/ttl-tiers.ts';

interface InputHost extends HostRow {
  fresh: boolean;
  firing: 'critical' | 'warning' | null;
  latest: LatestRow | null;
}

interface InputTeam {
  team_id: string;
  offline_after_intervals: number;
  hosts: InputHost[];
}

/** What a run wrote. */
export interface CacheReport {
  teams: number;
  hostsWritten: number;
  hostsSkipped: number;
  listsWritten: number;
  snapshotsPersisted: number;
}

/** Where and how often server lists are persisted (the `metrics` table). */
export interface PersistOptions {
  store: SnapshotStore;
  everyS: number;
}

/** Writes snapshots for hosts with samples since `since`. */
export async function cacheSnapshots(
  admin: SupabaseClient<Database>,
  redis: Redis,
  since: Date,
  now = new Date(),
  persist?: PersistOptions,
): Promise<CacheReport> {
  const { data, error } = await admin.rpc('snapshot_cache_inputs', { p_since: since.toISOString() });
  if (error) throw new Error(`Cannot read snapshot inputs: ${error.message}`);
  const teams = (data ?? []) as unknown as InputTeam[]; // jsonb: Json in the generated types
  const report: CacheReport = {
    teams: teams.length,
    hostsWritten: 0,
    hostsSkipped: 0,
    listsWritten: 0,
    snapshotsPersisted: 0,
  };
  if (teams.length === 0) return report;

  const fresh = teams.flatMap((t) => t.hosts.filter((h) => h.fresh && h.latest));
  const gates = redis.pipeline();
  for (const h of fresh)
    gates.set(hostWriteGateKey(h.id), h.latest!.ts, { nx: true, ex: Math.max(1, h.sample_interval_s) });
  const acquired = fresh.length ? ((await gates.exec()) as (string | null)[]) : [];
  const allowed = new Set(fresh.filter((_, i) => acquired[i] === 'OK').map((h) => h.id));

  const writes = redis.pipeline();
  let pending = 0;
  const lists = new Map<string, ServerStats[]>();
  for (const team of teams) {
    const servers: ServerStats[] = team.hosts.map((h) =>
      toServerStats(h, h.latest, serverStatus(h, h.firing, now, team.offline_after_intervals)),
    );
    lists.set(team.team_id, servers);
    let teamWrote = false;
    team.hosts.forEach((h, i) => {
      if (!allowed.has(h.id)) return;
      writes.set(hostSnapshotKey(h.id), encodeEnvelope(servers[i], now), {
        ex: ttlSeconds('high', { sampleIntervalS: h.sample_interval_s }),
      });
      pending++;
      teamWrote = true;
      report.hostsWritten++;
    });
    if (teamWrote) {
      const minInterval = Math.min(...team.hosts.map((h) => h.sample_interval_s));
      writes.set(teamServersKey(team.team_id), encodeEnvelope({ servers }, now), {
        ex: ttlSeconds('high', { sampleIntervalS: minInterval }),
      });
      pending++;
      report.listsWritten++;
    }
  }
  report.hostsSkipped = fresh.length - report.hostsWritten;
  if (pending > 0) await writes.exec();
  if (persist && persist.everyS > 0) report.snapshotsPersisted = await persistLists(redis, lists, now, persist);
  return report;
}

/** Persists each team's server list whose persist gate was free; a failed insert frees the gate again. */
async function persistLists(
  redis: Redis,
  lists: Map<string, ServerStats[]>,
  now: Date,
  persist: PersistOptions,
): Promise<number> {
  const teamIds = [...lists.keys()];
  if (teamIds.length === 0) return 0;
  const gates = redis.pipeline();
  for (const id of teamIds) gates.set(teamPersistGateKey(id), now.toISOString(), { nx: true, ex: persist.everyS });
  const acquired = (await gates.exec()) as (string | null)[];
  let persisted = 0;
  for (const [i, teamId] of teamIds.entries()) {
    if (acquired[i] !== 'OK') continue;
    try {
      await persist.store.insert({
        team_id: teamId,
        key: teamServersKey(teamId),
        data: { servers: lists.get(teamId) },
        timestamp: now.toISOString(),
      });
      persisted++;
    } catch (err) {
      await redis.del(teamPersistGateKey(teamId));
      throw err;
    }
  }
  return persisted;
}
