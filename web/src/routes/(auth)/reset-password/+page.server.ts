/** A new password for the signed-in visitor (after a recovery link); the guard sends signed-out visitors to /login. */
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
    if (password.length < 6) return fail(400, { message: 'Choose a password of at least 6 characters' });
    const { error } = await locals.supabase.auth.updateUser({ password });
    if (error?.code === 'insufficient_aal') redirect(303, '/login/mfa?next=/reset-password');
    if (error) return fail(400, { message: `Cannot set the password: ${error.message}` });
    redirect(303, '/');
  },
};
