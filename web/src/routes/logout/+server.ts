/** POST /logout: ends the session (server-side too) and clears the cookies. POST only, so links cannot sign people out. */
import { redirect } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals }) => {
  await locals.supabase.auth.signOut();
  redirect(303, '/login');
};
