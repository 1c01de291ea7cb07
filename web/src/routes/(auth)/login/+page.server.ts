/** Sign in with email and password; the session lands in cookies through @supabase/ssr. */
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';

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
    if (!email || !password) return fail(400, { email, message: 'Enter your email and password' });
    const { error } = await locals.supabase.auth.signInWithPassword({ email, password });
    if (error) {
      const message = error.code === 'invalid_credentials' ? 'Wrong email or password: check both and try again' : `Cannot sign in: ${error.message}`;
      return fail(error.status === 400 ? 400 : 502, { email, message });
    }
    const target = form.get('next');
    redirect(303, typeof target === 'string' ? safeRedirectTarget(target) : nextOf(url));
  },
};
