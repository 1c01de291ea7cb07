/** Sign in with email and password; the session lands in cookies through @supabase/ssr. */
import { m } from '#lib/paraglide/messages.js';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';
import {
  beginPasswordAttempt,
  refusedByAuth,
  TooManyAttempts,
  type PasswordAttempt,
} from '#lib/server/sign-in-limits.ts';

/** Where to land after signing in: ?next= (as the guards set it) or ?redirectTo=. */
const nextOf = (url: URL) => safeRedirectTarget(url.searchParams.get('next') ?? url.searchParams.get('redirectTo'));

export const load: PageServerLoad = async ({ locals, url }) => {
  if (await locals.viewer()) redirect(303, nextOf(url));
  return { next: nextOf(url) };
};

export const actions: Actions = {
  default: async ({ request, locals, url }) => {
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (!email || !password) return fail(400, { email, message: m.login_missing() });
    let attempt: PasswordAttempt | undefined;
    try {
      // Counted per visitor before Auth is called: Auth may see only this server's address.
      attempt = beginPasswordAttempt(email, locals.authCalls.address(), locals.authCalls.limited);
      const { error } = await locals.supabase.auth.signInWithPassword({ email, password });
      if (error?.code === 'invalid_credentials') {
        attempt.failed();
        return fail(400, { email, message: m.login_wrong() });
      }
      if (error?.status === 429) throw refusedByAuth(locals.authCalls.retryAfterSeconds, 'sign-in');
      if (error)
        return fail(error.status === 400 ? 400 : 502, { email, message: m.login_failed({ reason: error.message }) });
      attempt.succeeded();
    } catch (err) {
      if (!(err instanceof TooManyAttempts)) throw err;
      locals.authCalls.retryAfterSeconds = err.retryAfterSeconds;
      return fail(429, { email, message: err.message });
    } finally {
      attempt?.release(); // no-op once failed() or succeeded() was called
    }
    const target = form.get('next');
    redirect(303, typeof target === 'string' ? safeRedirectTarget(target) : nextOf(url));
  },
};
