/**
 * Forgot password: Auth mails a link and a code (locally to the stack's mailbox, hosted through the project's
 * SMTP). The link comes back through /auth/confirm (PKCE, same browser); the code works from any browser.
 * The answer never says whether an account exists.
 */
import { m } from '#lib/paraglide/messages.js';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions } from './$types';

export const actions: Actions = {
  send: async ({ request, locals, url }) => {
    const email = String((await request.formData()).get('email') ?? '').trim();
    if (!email) return fail(400, { email, step: 'send' as const, message: m.forgot_missing() });
    const { error } = await locals.supabase.auth.resetPasswordForEmail(email, {
      redirectTo: `${url.origin}/auth/confirm?next=/reset-password`,
    });
    if (error?.status === 429)
      return fail(429, { email, step: 'send' as const, message: m.too_many_requests({ reason: error.message }) });
    if (error && error.code !== 'validation_failed')
      return fail(502, { email, step: 'send' as const, message: m.forgot_send_failed({ reason: error.message }) });
    if (error) return fail(400, { email, step: 'send' as const, message: m.forgot_invalid_email() });
    return { email, step: 'code' as const, message: null };
  },
  code: async ({ request, locals }) => {
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim();
    const code = String(form.get('code') ?? '').replace(/\s/g, '');
    const password = String(form.get('password') ?? '');
    if (!email || !/^\d{6,10}$/.test(code))
      return fail(400, { email, step: 'code' as const, message: m.forgot_code_missing() });
    if (password.length < 6)
      return fail(400, { email, step: 'code' as const, message: m.password_short({ count: 6 }) });
    const verified = await locals.supabase.auth.verifyOtp({ email, token: code, type: 'recovery' });
    if (verified.error)
      return fail(400, {
        email,
        step: 'code' as const,
        message:
          verified.error.code === 'otp_expired'
            ? m.forgot_code_wrong()
            : m.code_check_failed({ reason: verified.error.message }),
      });
    const updated = await locals.supabase.auth.updateUser({ password });
    // With two-factor authentication on, a new password needs the authenticator code first.
    if (updated.error?.code === 'insufficient_aal') redirect(303, '/login/mfa?next=/reset-password');
    if (updated.error)
      return fail(400, {
        email,
        step: 'code' as const,
        message: m.password_set_failed({ reason: updated.error.message }),
      });
    redirect(303, '/');
  },
};
