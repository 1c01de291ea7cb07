/**
 * /invite/<token>: the link from an invitation. Signed-out visitors are sent to sign in (or sign up) and
 * back by the guard. The invitation is shown only to the account with the invited address (the token
 * alone grants nothing, see supabase/README.md); accepting joins the team and switches to it.
 */
import { m } from '#lib/paraglide/messages.js';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { isHttps } from '#lib/server/supabase.ts';
import { forgetTeams } from '#lib/server/teams.ts';

/** What the page shows: the invitation, or why it cannot be used. */
export interface InvitationView {
  team_name: string;
  role: 'owner' | 'admin' | 'viewer';
  invited_by_email: string | null;
  email: string;
  expires_at: string;
}

/** HTTP status of a refused invitation call (PostgREST PTxxx codes carry it). */
const statusOf = (code: string | undefined) => (code && /^PT4\d\d$/.test(code) ? Number(code.slice(2)) : 400);

export const load: PageServerLoad = async ({ locals, params, setHeaders, url }) => {
  // The token is in the URL: never send it to another site as a Referer, never cache the page. (Not
  // no-referrer: Chromium then sends `Origin: null` with the Accept form, which the same-site check refuses.)
  setHeaders({ 'referrer-policy': 'same-origin', 'cache-control': 'no-store' });
  const viewer = await locals.viewer();
  if (!viewer) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
  const { data, error } = await locals.supabase.rpc('invitation_by_token', { p_token: params.token });
  const invitation = ((data ?? []) as InvitationView[])[0] ?? null;
  return {
    viewerEmail: viewer.email,
    invitation: error ? null : invitation,
    problem: error
      ? { reason: error.details ?? error.code, message: error.message }
      : invitation
        ? null
        : { reason: 'invitation_not_found', message: m.invite_not_found() },
  };
};

export const actions: Actions = {
  accept: async ({ locals, params, cookies, url, request }) => {
    const viewer = await locals.viewer();
    if (!viewer) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
    const { data, error } = await locals.supabase.rpc('accept_invitation', { p_token: params.token });
    if (error) return fail(statusOf(error.code), { message: error.message });
    const joined = (data as { team_id: string }[])[0]!;
    // The dashboard opens on the team just joined (the same cookie the team switcher sets).
    cookies.set('vibe_team', joined.team_id, {
      path: '/',
      maxAge: 31_536_000,
      sameSite: 'lax',
      httpOnly: false,
      secure: isHttps(url, request.headers),
    });
    forgetTeams(viewer.id);
    redirect(303, '/team');
  },
  decline: async ({ locals, params, url }) => {
    const viewer = await locals.viewer();
    if (!viewer) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
    const { error } = await locals.supabase.rpc('decline_invitation', { p_token: params.token });
    if (error) return fail(statusOf(error.code), { message: error.message });
    return { declined: true };
  },
};
