/**
 * Where Auth's email links land: `?code=` (PKCE: the link was requested in this browser, whose cookie holds the
 * code verifier) or `?token_hash=&type=` (a custom email template's link). Either signs the visitor in, then
 * goes to `?next=` (a same-site path only).
 */
import { redirect } from '@sveltejs/kit';
import type { EmailOtpType } from '@supabase/supabase-js';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';
import type { RequestHandler } from './$types';

const TYPES: EmailOtpType[] = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'];

export const GET: RequestHandler = async ({ url, locals }) => {
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
    problem = 'The link is incomplete: open the whole link from the email';
  }
  if (problem)
    redirect(303, `/login?error=${encodeURIComponent(`${problem}. Request a new email if it has expired.`)}`);
  redirect(303, next);
};
