/** The Supabase client for universal load functions and components: browser cookies in the browser, the request's cookies during SSR. */
import { createBrowserClient, createServerClient, isBrowser } from '@supabase/ssr';
import type { SupabaseClient } from '@supabase/supabase-js';
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';

/** A client acting as the signed-in user; in the browser it is a singleton that also carries Realtime. */
export function createUniversalClient(serverCookies: { name: string; value: string }[], fetchFn: typeof fetch): SupabaseClient {
  if (isBrowser()) {
    return createBrowserClient(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, { global: { fetch: fetchFn } });
  }
  // During SSR cookies are read-only here; hooks.server.ts has already refreshed them.
  return createServerClient(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, {
    global: { fetch: fetchFn },
    cookies: { getAll: () => serverCookies },
  });
}
