/**
 * Sign up with email, password and a first team (the creator becomes its owner), then land signed in on
 * ?next= (same-site paths only). Coming from an invitation link (next = /invite/…), no team is made unless
 * a name is given: the invitation is the team.
 */
import { m } from '#lib/paraglide/messages.js';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';
import { createTokenClient } from '#lib/server/supabase.ts';
import { adoptLanguage } from '#lib/team-language.ts';
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
    if (!email || !password) return fail(400, { ...values, message: m.signup_missing() });
    if (password.length < 6) return fail(400, { ...values, message: m.signup_short_password({ count: 6 }) });
    if (team.length > 100) return fail(400, { ...values, message: m.signup_long_team({ count: 100 }) });
    let signedUp;
    try {
      // Counted per visitor before Auth is called: Auth may see only this server's address.
      countSignUp(locals.authCalls.address(), locals.authCalls.limited);
      // The language the page was shown in becomes the account's saved choice.
      signedUp = await locals.supabase.auth.signUp({ email, password, options: { data: { locale: locals.locale } } });
      if (signedUp.error?.status === 429) throw refusedByAuth(locals.authCalls.retryAfterSeconds, 'sign-up');
    } catch (err) {
      if (!(err instanceof TooManyAttempts)) throw err;
      locals.authCalls.retryAfterSeconds = err.retryAfterSeconds;
      return fail(429, { ...values, message: err.message });
    }
    const { data, error } = signedUp;
    if (error) {
      const message =
        error.code === 'user_already_exists' ? m.signup_exists() : m.signup_failed({ reason: error.message });
      return fail(error.status && error.status < 500 ? 400 : 502, { ...values, message });
    }
    if (!data.session) {
      return { ...values, message: m.signup_confirm() };
    }
    const next = nextOf(url);
    if (team || !next.startsWith('/invite/')) {
      const name = team || m.signup_default_team({ name: email.split('@')[0] ?? email });
      // No RETURNING: the creator's membership, which reading the row needs, is added by an after trigger.
      const id = crypto.randomUUID();
      const client = createTokenClient(data.session.access_token);
      const created = await client.from('teams').insert({ id, name });
      // The team speaks its creator's language: notifications and the default rules' names.
      if (!created.error) await adoptLanguage(client, id, locals.locale);
      if (created.error) {
        return fail(502, {
          ...values,
          message: m.signup_team_failed({ reason: created.error.message }),
        });
      }
    }
    forgetTeams(data.session.user.id);
    redirect(303, next);
  },
};
