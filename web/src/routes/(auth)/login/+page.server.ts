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
  // /auth/confirm sends a failed email link here with its reason.
  const error = url.searchParams.get('error');
  return { next: nextOf(url), error: error ? error.slice(0, 300) : null };
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
    const next = typeof target === 'string' ? safeRedirectTarget(target) : nextOf(url);
    // A user with two-factor authentication signs in at aal1; the authenticator code comes next.
    const { data: aal } = await locals.supabase.auth.mfa.getAuthenticatorAssuranceLevel();
    if (aal?.nextLevel === 'aal2' && aal.currentLevel !== 'aal2')
      redirect(303, `/login/mfa?next=${encodeURIComponent(next)}`);
    redirect(303, next);
  },
};
