/**
 * One cache-snapshots run: each fresh host's ServerStats and each touched team's server list go to
 * Upstash with high-tier TTLs (three sample intervals, 15–60 s). A write gate (SET NX EX interval)
 * keeps it to one write per host per sample interval however often ingest wakes the function.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../_shared/database.types.ts';
import type { Redis } from '@upstash/redis';
import { hostSnapshotKey, hostWriteGateKey, teamServersKey } from '../_shared/cache-keys.ts';
import { encodeEnvelope } from '../_shared/hybrid-storage.ts';
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
}

/** Writes snapshots for hosts with samples since `since`. */
export async function cacheSnapshots(
  admin: SupabaseClient<Database>,
  redis: Redis,
  since: Date,
  now = new Date(),
): Promise<CacheReport> {
  const { data, error } = await admin.rpc('snapshot_cache_inputs', { p_since: since.toISOString() });
  if (error) throw new Error(`Cannot read snapshot inputs: ${error.message}`);
  const teams = (data ?? []) as unknown as InputTeam[]; // jsonb: Json in the generated types
  const report: CacheReport = { teams: teams.length, hostsWritten: 0, hostsSkipped: 0, listsWritten: 0 };
  if (teams.length === 0) return report;

  const fresh = teams.flatMap((t) => t.hosts.filter((h) => h.fresh && h.latest));
  const gates = redis.pipeline();
  for (const h of fresh)
    gates.set(hostWriteGateKey(h.id), h.latest!.ts, { nx: true, ex: Math.max(1, h.sample_interval_s) });
  const acquired = fresh.length ? ((await gates.exec()) as (string | null)[]) : [];
  const allowed = new Set(fresh.filter((_, i) => acquired[i] === 'OK').map((h) => h.id));

  const writes = redis.pipeline();
  let pending = 0;
  for (const team of teams) {
    const servers: ServerStats[] = team.hosts.map((h) =>
      toServerStats(h, h.latest, serverStatus(h, h.firing, now, team.offline_after_intervals)),
    );
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
  return report;
}
