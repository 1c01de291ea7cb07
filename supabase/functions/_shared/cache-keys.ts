/**
 * Upstash key names shared by cache-snapshots (writer) and the web API (reader). No imports.
 *   hostSnapshotKey(hostId)  → "vibe:v1:host:<hostId>:snapshot"   (ServerStats of one host, tier high)
 *   teamServersKey(teamId)   → "vibe:v1:team:<teamId>:servers"    ({ servers: ServerStats[] }, tier high)
 *   teamPersistGateKey(teamId) → "vibe:v1:team:<teamId>:persisted" (present while a snapshot was persisted recently)
 * Values are hybrid-storage envelopes {"v": data, "at": ISO time} (see hybrid-storage.ts).
 */

/** Bump when the cached shape changes, so old entries are simply never read again. */
export const CACHE_VERSION = 'v1';

/** The latest snapshot of one host in the seed's ServerStats shape. */
export function hostSnapshotKey(hostId: string): string {
  return `vibe:${CACHE_VERSION}:host:${hostId}:snapshot`;
}

/** Each team's server list, `{ servers: ServerStats[] }`, as GET /api/monitoring/servers answers. */
export function teamServersKey(teamId: string): string {
  return `vibe:${CACHE_VERSION}:team:${teamId}:servers`;
}

/** Write gate: present while a host's snapshot was written within its sample interval. */
export function hostWriteGateKey(hostId: string): string {
  return `vibe:${CACHE_VERSION}:host:${hostId}:written`;
}

/** Persist gate: present while the team's server list was written to the `metrics` table recently. */
export function teamPersistGateKey(teamId: string): string {
  return `vibe:${CACHE_VERSION}:team:${teamId}:persisted`;
}
