/** Signed-in area: the viewer's teams and the current one (cookie `vibe_team`, else the oldest). */
import { redirect } from '@sveltejs/kit';
import type { Database, Enums, Tables } from '$shared/database.types.ts';
import type { LayoutServerLoad } from './$types';

/** A team the viewer belongs to, with their role in it. */
export type TeamChoice = Pick<Tables<'teams'>, 'id' | 'name'> & { role: Enums<'team_role'> };

/** An invitation to the viewer's address that they have not answered yet (my_invitations). */
export type PendingInvitation = Database['public']['Functions']['my_invitations']['Returns'][number];

export const load: LayoutServerLoad = async ({ locals, cookies, url }) => {
  const viewer = await locals.viewer();
  if (!viewer) redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  const [{ data, error }, invited] = await Promise.all([
    locals.supabase.from('team_members').select('role, teams(id, name, created_at)').eq('user_id', viewer.id),
    locals.supabase.rpc('my_invitations'),
  ]);
  if (error) throw new Error(`Cannot load your teams: ${error.message}`);
  if (invited.error) throw new Error(`Cannot load your invitations: ${invited.error.message}`);
  const teams: TeamChoice[] = (data ?? [])
    .filter((m) => m.teams)
    .sort((a, b) => a.teams!.created_at.localeCompare(b.teams!.created_at))
    .map((m) => ({ id: m.teams!.id, name: m.teams!.name, role: m.role }));
  const wanted = cookies.get('vibe_team');
  const team = teams.find((t) => t.id === wanted) ?? teams[0] ?? null;
  return { viewer: { id: viewer.id, email: viewer.email }, teams, team, invitations: invited.data ?? [] };
};
