/**
 * Where Auth's email links land: `?code=` (PKCE: the link was requested in this browser, whose cookie holds the
 * code verifier) or `?token_hash=&type=` (a custom email template's link) sign the visitor in here, then go to
 * `?next=` (a same-site path only). A link of the implicit flow (an admin invite) carries the session in the
 * URL fragment, which only the browser sees: the page's script stores it (+page.svelte).
 */
import { m } from '#lib/paraglide/messages.js';
import { redirect } from '@sveltejs/kit';
import type { EmailOtpType } from '@supabase/supabase-js';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';
import type { PageServerLoad } from './$types';

const TYPES: EmailOtpType[] = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'];

export const load: PageServerLoad = async ({ url, locals }): Promise<{ next: string }> => {
  const next = safeRedirectTarget(url.searchParams.get('next'));
  const code = url.searchParams.get('code');
  const tokenHash = url.searchParams.get('token_hash');
  const type = url.searchParams.get('type') as EmailOtpType | null;
  let problem = url.searchParams.get('error_description');
  if (!problem && code) {
    const { error } = await locals.supabase.auth.exchangeCodeForSession(code);
    if (error) problem = error.message;
  } else if (!problem && tokenHash && type && TYPES.includes(type)) {
    const { error } = await locals.supabase.auth.verifyOtp({ token_hash: tokenHash, type });
    if (error) problem = error.message;
  } else if (!problem) {
    problem = m.confirm_incomplete();
  }
  if (problem)
    redirect(
      303,
      `/login?error=${encodeURIComponent(problem === m.confirm_incomplete() ? problem : m.confirm_error({ error: problem }))}`,
    );
  redirect(303, next);
};
