/** A new password for the signed-in visitor (after a recovery link); the guard sends signed-out visitors to /login. */
import { m } from '#lib/paraglide/messages.js';
import { fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const viewer = await locals.viewer();
  if (!viewer) redirect(303, '/forgot');
  return { email: viewer.email };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const password = String((await request.formData()).get('password') ?? '');
    if (password.length < 6) return fail(400, { message: m.password_short({ count: 6 }) });
    const { error } = await locals.supabase.auth.updateUser({ password });
    if (error?.code === 'insufficient_aal') redirect(303, '/login/mfa?next=/reset-password');
    if (error) return fail(400, { message: m.password_set_failed({ reason: error.message }) });
    redirect(303, '/');
  },
};
