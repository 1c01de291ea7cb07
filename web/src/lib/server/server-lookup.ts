/**
 * Which of the viewer's servers a serverId names: a host id, or a slug (unique per team, so one slug may
 * name a host in each of the viewer's teams). Slugs are resolved under the viewer's RLS and remembered
 * briefly, because clients poll `?serverId=<slug>` every few seconds.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { queryError } from './api-error.ts';
import type { ServerStats } from './server-view.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const slugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** How long a slug → host ids answer is reused; a renamed slug may still resolve this long. */
const slugTtlMs = 60_000;
const maxEntries = 10_000;
const memo = new Map<string, { ids: string[]; until: number }>();

async function idsForSlug(slug: string, teamIds: string[], supabase: SupabaseClient<Database>): Promise<string[]> {
  // The key holds the team set, so a cached answer only serves viewers of exactly those teams.
  const key = `${teamIds.join(',')}|${slug}`;
  const now = Date.now();
  const known = memo.get(key);
  if (known && known.until > now) return known.ids;
  const { data, error } = await supabase.from('hosts').select('id').eq('slug', slug).in('team_id', teamIds);
  if (error) throw queryError('hosts', error);
  const ids = data.map((r) => r.id);
  if (memo.size >= maxEntries) memo.clear();
  memo.set(key, { ids, until: now + slugTtlMs });
  return ids;
}

/** The servers a serverId names among `servers` (the viewer's list across `teamIds`). */
export async function findServers(
  servers: ServerStats[],
  serverId: string,
  teamIds: string[],
  supabase: SupabaseClient<Database>,
): Promise<ServerStats[]> {
  const wanted = serverId.trim().toLowerCase();
  if (uuidPattern.test(wanted)) {
    const byId = servers.filter((s) => s.id === wanted);
    if (byId.length > 0) return byId;
  }
  if (!slugPattern.test(wanted) || teamIds.length === 0) return [];
  const ids = new Set(await idsForSlug(wanted, teamIds, supabase));
  return servers.filter((s) => ids.has(s.id));
}
