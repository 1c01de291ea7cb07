/** The Supabase client for universal load functions and components: browser cookies in the browser, the request's cookies during SSR. */
import { createBrowserClient, createServerClient, isBrowser } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';

/** A client acting as the signed-in user; in the browser it is a singleton that also carries Realtime. */
export function createUniversalClient(
  serverCookies: { name: string; value: string }[],
  fetchFn: typeof fetch,
): SupabaseClient<Database> {
  if (isBrowser()) {
    // The client rewrites the session cookie through document.cookie on every token refresh. @supabase/ssr
    // leaves Secure off by default, which over https would turn the server's Secure cookie into one a
    // network attacker can read from any plain-http request to this host. The page's own scheme is the
    // truth here (hooks.server.ts has to infer it from proxy headers).
    return createBrowserClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, {
      global: { fetch: fetchFn },
      cookieOptions: { secure: location.protocol === 'https:' },
    });
  }
  // During SSR cookies are read-only here; hooks.server.ts has already refreshed them.
  return createServerClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, {
    global: { fetch: fetchFn },
    cookies: { getAll: () => serverCookies },
  });
}
