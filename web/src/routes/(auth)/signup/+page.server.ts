/**
 * Sign up with email, password and a first team (the creator becomes its owner), then land signed in on
 * ?next= (same-site paths only). Coming from an invitation link (next = /invite/…), no team is made unless
 * a name is given: the invitation is the team.
 */
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';
import { createTokenClient } from '#lib/server/supabase.ts';
import { countSignUp, refusedByAuth, TooManyAttempts } from '#lib/server/sign-in-limits.ts';
import { forgetTeams } from '#lib/server/teams.ts';

const nextOf = (url: URL) => safeRedirectTarget(url.searchParams.get('next'));

export const load: PageServerLoad = async ({ locals, url }) => {
  if (await locals.viewer()) redirect(303, nextOf(url));
  return { next: nextOf(url) };
};

export const actions: Actions = {
  default: async ({ request, locals, url }) => {
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const team = String(form.get('team') ?? '').trim();
    const values = { email, team };
    if (!email || !password) return fail(400, { ...values, message: 'Enter an email and a password' });
    if (password.length < 6)
      return fail(400, { ...values, message: 'The password is too short: use at least 6 characters' });
    if (team.length > 100)
      return fail(400, { ...values, message: 'The team name is too long: use at most 100 characters' });
    let signedUp;
    try {
      // Counted per visitor before Auth is called: Auth may see only this server's address.
      countSignUp(locals.authCalls.address(), locals.authCalls.limited);
      signedUp = await locals.supabase.auth.signUp({ email, password });
      if (signedUp.error?.status === 429) throw refusedByAuth(locals.authCalls.retryAfterSeconds, 'sign-up');
    } catch (err) {
      if (!(err instanceof TooManyAttempts)) throw err;
      locals.authCalls.retryAfterSeconds = err.retryAfterSeconds;
      return fail(429, { ...values, message: err.message });
    }
    const { data, error } = signedUp;
    if (error) {
      const message =
        error.code === 'user_already_exists'
          ? 'This email already has an account: sign in instead'
          : `Cannot sign up: ${error.message}`;
      return fail(error.status && error.status < 500 ? 400 : 502, { ...values, message });
    }
    if (!data.session) {
      return { ...values, message: 'Check your inbox and confirm your email, then sign in' };
    }
    const next = nextOf(url);
    if (team || !next.startsWith('/invite/')) {
      const name = team || `${email.split('@')[0]}'s team`;
      const created = await createTokenClient(data.session.access_token).from('teams').insert({ name });
      if (created.error) {
        return fail(502, {
          ...values,
          message: `Signed up, but the team could not be created: ${created.error.message}`,
        });
      }
    }
    forgetTeams(data.session.user.id);
    redirect(303, next);
  },
};
