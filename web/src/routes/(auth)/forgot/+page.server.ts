/**
 * Forgot password: Auth mails a link and a code (locally to the stack's mailbox, hosted through the project's
 * SMTP). The link comes back through /auth/confirm (PKCE, same browser); the code works from any browser.
 * The answer never says whether an account exists.
 */
import { fail, redirect } from '@sveltejs/kit';
import type { Actions } from './$types';

export const actions: Actions = {
  send: async ({ request, locals, url }) => {
    const email = String((await request.formData()).get('email') ?? '').trim();
    if (!email) return fail(400, { email, step: 'send' as const, message: 'Enter the email address of your account' });
    const { error } = await locals.supabase.auth.resetPasswordForEmail(email, {
      redirectTo: `${url.origin}/auth/confirm?next=/reset-password`,
    });
    if (error?.status === 429)
      return fail(429, { email, step: 'send' as const, message: `Too many requests: ${error.message}` });
    if (error && error.code !== 'validation_failed')
      return fail(502, { email, step: 'send' as const, message: `Cannot send the email: ${error.message}` });
    if (error) return fail(400, { email, step: 'send' as const, message: 'Enter a valid email address' });
    return { email, step: 'code' as const, message: null };
  },
  code: async ({ request, locals }) => {
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim();
    const code = String(form.get('code') ?? '').replace(/\s/g, '');
    const password = String(form.get('password') ?? '');
    if (!email || !/^\d{6,10}$/.test(code))
      return fail(400, { email, step: 'code' as const, message: 'Enter the code from the email (digits only)' });
    if (password.length < 6)
      return fail(400, { email, step: 'code' as const, message: 'Choose a new password of at least 6 characters' });
    const verified = await locals.supabase.auth.verifyOtp({ email, token: code, type: 'recovery' });
    if (verified.error)
      return fail(400, {
        email,
        step: 'code' as const,
        message:
          verified.error.code === 'otp_expired'
            ? 'That code is wrong or has expired: check the email or send a new one'
            : `Cannot check the code: ${verified.error.message}`,
      });
    const updated = await locals.supabase.auth.updateUser({ password });
    // With two-factor authentication on, a new password needs the authenticator code first.
    if (updated.error?.code === 'insufficient_aal') redirect(303, '/login/mfa?next=/reset-password');
    if (updated.error)
      return fail(400, { email, step: 'code' as const, message: `Cannot set the password: ${updated.error.message}` });
    redirect(303, '/');
  },
};
