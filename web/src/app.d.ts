import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import type { AuthResult, Viewer } from '#lib/server/auth.ts';
import type { AuthCalls } from '#lib/server/auth-calls.ts';
import type { Locale } from '#lib/locale.ts';

declare global {
  namespace App {
    interface Locals {
      /** Supabase client acting as the requesting user (cookie session or bearer token), so RLS applies. */
      supabase: SupabaseClient<Database>;
      /** Authenticates the request once (bearer header, else cookie session); says why when there is no user. */
      auth: () => Promise<AuthResult>;
      /** The verified user of this request, or null; memoised per request. */
      viewer: () => Promise<Viewer | null>;
      /** The Auth calls this request makes on the visitor's behalf: their address, and the wait of a 429. */
      authCalls: AuthCalls;
      /** The language this request's page is rendered in (hooks.server.ts). */
      locale: Locale;
    }
    interface Error {
      status: number;
      message: string;
      code?: string;
    }
  }
}
