/** Every server the viewer may see, read per team through getData (Upstash, then Postgres under RLS). */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { queryError } from './api-error.ts';
import type { Viewer } from './auth.ts';
import { teamServersKey } from './cache-keys.ts';
import type { GetData } from './cache.ts';
import { hostStatusColumns, toServer, type ServerStats } from './server-view.ts';
import { forgetTeams, teamIdsOf } from './teams.ts';

/** Thrown when a remembered membership turned out stale (the team is no longer visible to the viewer). */
class StaleMembership extends Error {}

/** A team's cached list, in the shape cache-snapshots writes. */
interface TeamServers {
  servers: ServerStats[];
}

/**
 * One team's servers, read with the viewer's client. The team row is read alongside: if RLS hides
 * it, the viewer is no longer a member, and an empty host list must not be cached for the team.
 */
export async function fetchTeamServers(supabase: SupabaseClient<Database>, teamId: string): Promise<TeamServers> {
  const [team, hosts] = await Promise.all([
    supabase.from('teams').select('id').eq('id', teamId),
    supabase.from('host_status').select(hostStatusColumns).eq('team_id', teamId).order('name').order('host_id'),
  ]);
  if (team.error) throw queryError('your team', team.error);
  if (hosts.error) throw queryError('host status', hosts.error);
  if (team.data.length === 0) throw new StaleMembership(teamId);
  return { servers: hosts.data.map(toServer) };
}

/** The viewer's servers, the team each belongs to, and whether any team missed the cache. */
export interface ServerList {
  servers: ServerStats[];
  /** The cached list objects the answer was built from (stable while their cache entries are unchanged). */
  sources: object[];
  teamIds: string[];
  teamOf: Map<string, string>;
  missed: boolean;
}

const byName = (a: ServerStats, b: ServerStats) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The viewer's servers across all their teams, sorted by name. */
export async function serversFor(
  viewer: Viewer,
  supabase: SupabaseClient<Database>,
  getData: GetData,
): Promise<ServerList> {
  let teamIds = await teamIdsOf(viewer, supabase);
  let missed = false;
  const readAll = () =>
    Promise.all(
      teamIds.map(async (teamId) => {
        const list = await getData(
          teamServersKey(teamId),
          () => ((missed = true), fetchTeamServers(supabase, teamId)),
          { tier: 'high' },
        );
        return { teamId, list };
      }),
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
  const servers: ServerStats[] = [];
  for (const { teamId, list } of perTeam) {
    for (const s of list.servers) {
      teamOf.set(s.id, teamId);
      servers.push(s);
    }
  }
  // Lists written by cache-snapshots follow its own order; answer in one stable order either way.
  servers.sort(byName);
  return { servers, sources: perTeam.map((t) => t.list), teamIds, teamOf, missed };
}
