/**
 * Root layout data from the server: the verified user (or null), the page language (hooks.server.ts) and the
 * cookies +layout.ts needs for SSR.
 */
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, cookies }) => {
  const viewer = await locals.viewer();
  return {
    user: viewer ? { id: viewer.id, email: viewer.email } : null,
    locale: locals.locale,
    cookies: cookies.getAll(),
  };
};
