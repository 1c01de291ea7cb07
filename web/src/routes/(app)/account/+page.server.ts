/**
 * Account: two-factor authentication with an authenticator app (TOTP). Enrolling shows a QR code and the
 * secret; the first right code turns it on. Turning it off needs a session verified with a code (aal2).
 */
import { m } from '#lib/paraglide/messages.js';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const [{ data: factors }, { data: aal }] = await Promise.all([
    locals.supabase.auth.mfa.listFactors(),
    locals.supabase.auth.mfa.getAuthenticatorAssuranceLevel(),
  ]);
  return {
    factors: (factors?.totp ?? []).map((f) => ({ id: f.id, name: f.friendly_name ?? '', created_at: f.created_at })),
    aal: aal?.currentLevel ?? 'aal1',
  };
};

export const actions: Actions = {
  enroll: async ({ locals }) => {
    // An unfinished enrollment from earlier would hold the name: remove unverified factors first.
    const { data: user } = await locals.supabase.auth.getUser();
    for (const f of user.user?.factors ?? []) {
      if (f.status !== 'verified') await locals.supabase.auth.mfa.unenroll({ factorId: f.id });
    }
    const { data, error } = await locals.supabase.auth.mfa.enroll({
      factorType: 'totp',
      friendlyName: 'Authenticator app',
    });
    if (error)
      return fail(error.status === 403 ? 403 : 400, { message: m.mfa_start_failed({ reason: error.message }) });
    // auth-js prefixes the SVG with `data:image/svg+xml;utf-8,`; encode it so it is a valid data URL.
    const svg = data.totp.qr_code.replace(/^data:image\/svg\+xml;utf-8,/, '');
    const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    return { enrolling: { id: data.id, qr, secret: data.totp.secret } };
  },
  verify: async ({ request, locals }) => {
    const form = await request.formData();
    const factorId = String(form.get('factor') ?? '');
    const code = String(form.get('code') ?? '').replace(/\s/g, '');
    const qr = String(form.get('qr') ?? '');
    const secret = String(form.get('secret') ?? '');
    const enrolling = { id: factorId, qr, secret };
    if (!/^\d{6}$/.test(code)) return fail(400, { enrolling, message: m.mfa_enter_6() });
    const { error } = await locals.supabase.auth.mfa.challengeAndVerify({ factorId, code });
    if (error?.code === 'mfa_verification_failed') return fail(400, { enrolling, message: m.mfa_wrong_code_setup() });
    if (error) return fail(400, { enrolling, message: m.mfa_turn_on_failed({ reason: error.message }) });
    return { done: m.mfa_done_on() };
  },
  unenroll: async ({ request, locals }) => {
    const factorId = String((await request.formData()).get('factor') ?? '');
    const { error } = await locals.supabase.auth.mfa.unenroll({ factorId });
    if (error?.code === 'insufficient_aal') return fail(403, { message: m.mfa_off_needs_sign_in() });
    if (error) return fail(400, { message: m.mfa_turn_off_failed({ reason: error.message }) });
    return { done: m.mfa_done_off() };
  },
};
