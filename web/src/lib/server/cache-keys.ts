/**
 * Cache keys. Every key carries the team it was read for: cached rows were read under one member's
 * RLS and may only be served to members of the same team (see teams.ts for how membership is known).
 */

/** TTL tiers of the seed: live metrics 15–60 s, settled history 5–15 min. */
export const ttl = { live: 15, history: 600 } as const;

const prefix = 'vibe:web:v1';

/** The API view of every host of one team. */
export function serversKey(teamId: string): string {
  return `${prefix}:team:${teamId}:servers`;
}

/** One host's performance series over a range (default: the last hour) for one metric or all. */
export function performanceKey(teamId: string, hostId: string, range: { from: string; to: string } | 'last-hour', metric: string | null): string {
  const span = range === 'last-hour' ? 'last-hour' : `${range.from}_${range.to}`;
  return `${prefix}:team:${teamId}:host:${hostId}:performance:${span}:${metric ?? 'all'}`;
}
