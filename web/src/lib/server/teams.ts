/**
 * The teams a viewer belongs to, read under the viewer's own RLS and remembered briefly in this
 * process, because every API request needs them to pick its team-scoped cache keys.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { queryError } from './api-error.ts';
import type { Viewer } from './auth.ts';

/** How long a membership list is trusted: a removed member may read cached team data this long. */
export const membershipTtlMs = 10_000;
const maxEntries = 10_000;
const memo = new Map<string, { teamIds: string[]; until: number }>();

/** Ids of the viewer's teams, sorted; an empty list is never remembered, so a first team shows at once. */
export async function teamIdsOf(viewer: Viewer, supabase: SupabaseClient<Database>): Promise<string[]> {
  const now = Date.now();
  const known = memo.get(viewer.id);
  if (known && known.until > now) return known.teamIds;
  const { data, error } = await supabase.from('team_members').select('team_id').eq('user_id', viewer.id);
  if (error) throw queryError('your team memberships', error);
  const teamIds = data.map((r: { team_id: string }) => r.team_id).sort();
  if (memo.size >= maxEntries) memo.clear();
  if (teamIds.length > 0) memo.set(viewer.id, { teamIds, until: now + membershipTtlMs });
  else memo.delete(viewer.id);
  return teamIds;
}

/** Drops a user's remembered teams, e.g. after a form action created a team or changed members. */
export function forgetTeams(userId: string): void {
  memo.delete(userId);
}
