/**
 * Cache keys and TTL tiers. Every key carries the team it was read for: cached rows were read under one
 * member's RLS and may only be served to members of the same team (teams.ts says who those are). The
 * team server list shares its key and shape with the cache-snapshots edge function, which keeps it warm.
 */
import { CACHE_VERSION, teamServersKey } from '$shared/cache-keys.ts';

export { teamServersKey };

/** One host's performance series over a range (default: the last hour) for one metric or all. */
export function performanceKey(
  teamId: string,
  hostId: string,
  range: { from: string; to: string } | 'last-hour',
  metric: string | null,
): string {
  const span = range === 'last-hour' ? 'last-hour' : `${range.from}_${range.to}`;
  return `vibe:${CACHE_VERSION}:team:${teamId}:host:${hostId}:performance:${span}:${metric ?? 'all'}`;
}
