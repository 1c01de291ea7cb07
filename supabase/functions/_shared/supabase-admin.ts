/** The service-role supabase-js client and the env every function needs (Deno only). */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from './database.types.ts';

/** A required environment variable, or an error naming it. */
export function requireEnv(name: string): string {
  const v = Deno.env.get(name);
  if (!v)
    throw new Error(
      `Missing environment variable ${name}: the Supabase runtime sets it; for custom ones use supabase secrets set or supabase/functions/.env`,
    );
  return v;
}

/** A service-role client (bypasses RLS): only for work the function has authorised itself. */
export function serviceClient(): SupabaseClient<Database> {
  return createClient<Database>(requireEnv('SUPABASE_URL'), requireEnv('SUPABASE_SERVICE_ROLE_KEY'), {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/** A client acting as the caller (their JWT), so RLS decides what they may read. */
export function callerClient(authorization: string): SupabaseClient<Database> {
  return createClient<Database>(
    requireEnv('SUPABASE_URL'),
    Deno.env.get('SUPABASE_ANON_KEY') ?? requireEnv('SUPABASE_SERVICE_ROLE_KEY'),
    {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: authorization } },
    },
  );
}
