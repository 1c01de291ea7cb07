/**
 * The second step of signing in for users with two-factor authentication: the password made an aal1 session;
 * the authenticator code (TOTP) raises it to aal2. Every signed-in page sends aal1 sessions of such users here.
 */
import { m } from '#lib/paraglide/messages.js';
import { fail, redirect } from '@sveltejs/kit';
import { safeRedirectTarget } from '#lib/server/redirect-target.ts';
import type { Actions, PageServerLoad } from './$types';

const nextOf = (url: URL) => safeRedirectTarget(url.searchParams.get('next'));

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!(await locals.viewer())) redirect(303, '/login');
  const { data } = await locals.supabase.auth.mfa.getAuthenticatorAssuranceLevel();
  if (data?.currentLevel === 'aal2' || data?.nextLevel !== 'aal2') redirect(303, nextOf(url));
  return { next: nextOf(url) };
};

export const actions: Actions = {
  default: async ({ request, locals, url }) => {
    const form = await request.formData();
    const code = String(form.get('code') ?? '').replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return fail(400, { message: m.mfa_enter_6() });
    const factors = await locals.supabase.auth.mfa.listFactors();
    const factor = factors.data?.totp[0];
    if (!factor) return fail(400, { message: m.mfa_no_factor() });
    const { error } = await locals.supabase.auth.mfa.challengeAndVerify({ factorId: factor.id, code });
    if (error?.code === 'mfa_verification_failed') return fail(400, { message: m.mfa_wrong_code() });
    if (error?.status === 429) return fail(429, { message: m.too_many_attempts({ reason: error.message }) });
    if (error) return fail(400, { message: m.code_check_failed({ reason: error.message }) });
    const target = form.get('next');
    redirect(303, typeof target === 'string' ? safeRedirectTarget(target) : nextOf(url));
  },
};
