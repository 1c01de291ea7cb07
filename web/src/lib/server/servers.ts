/** Every server the viewer may see, read per team through getData (Upstash, then Postgres under RLS). */
import type { SupabaseClient } from '@supabase/supabase-js';
import { queryError } from './api-error.ts';
import type { Viewer } from './auth.ts';
import { serversKey, ttl } from './cache-keys.ts';
import type { GetData } from './hybrid-cache.ts';
import { hostStatusColumns, toServer, type HostStatusRow, type Server } from './server-view.ts';
import { forgetTeams, teamIdsOf } from './teams.ts';

/** Thrown when a remembered membership turned out stale (the team is no longer visible to the viewer). */
class StaleMembership extends Error {}

/**
 * One team's servers, read with the viewer's client. The team row is read alongside: if RLS hides
 * it, the viewer is no longer a member, and an empty host list must not be cached for the team.
 */
export async function fetchTeamServers(supabase: SupabaseClient, teamId: string): Promise<Server[]> {
  const [team, hosts] = await Promise.all([
    supabase.from('teams').select('id').eq('id', teamId),
    supabase.from('host_status').select(hostStatusColumns).eq('team_id', teamId).order('name').order('host_id'),
  ]);
  if (team.error) throw queryError('your team', team.error);
  if (hosts.error) throw queryError('host status', hosts.error);
  if (team.data.length === 0) throw new StaleMembership(teamId);
  return (hosts.data as unknown as HostStatusRow[]).map(toServer);
}

/** The result of listing servers: which team each came from, and whether any team missed the cache. */
export interface ServerList {
  servers: Server[];
  teamOf: Map<string, string>;
  missed: boolean;
}

/** The viewer's servers across all their teams, sorted by name. */
export async function serversFor(viewer: Viewer, supabase: SupabaseClient, getData: GetData): Promise<ServerList> {
  let teamIds = await teamIdsOf(viewer, supabase);
  let missed = false;
  const readAll = () =>
    Promise.all(
      teamIds.map((teamId) =>
        getData(serversKey(teamId), () => ((missed = true), fetchTeamServers(supabase, teamId)), { ttl: ttl.live }).then(
          (servers) => ({ teamId, servers }),
        ),
      ),
    );
  let perTeam;
  try {
    perTeam = await readAll();
  } catch (err) {
    if (!(err instanceof StaleMembership)) throw err;
    forgetTeams(viewer.id);
    teamIds = await teamIdsOf(viewer, supabase);
    perTeam = await readAll();
  }
  const teamOf = new Map<string, string>();
  const servers: Server[] = [];
  for (const { teamId, servers: list } of perTeam) {
    for (const s of list) {
      teamOf.set(s.id, teamId);
      servers.push(s);
    }
  }
  if (perTeam.length > 1) servers.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { servers, teamOf, missed };
}
