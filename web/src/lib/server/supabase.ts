/** Server-side Supabase clients: the cookie-session client, a bearer-token client and a shared JWT verifier. */
import { createServerClient } from '@supabase/ssr';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import type { Cookies } from '@sveltejs/kit';
import { PUBLIC_SUPABASE_ANON_KEY, PUBLIC_SUPABASE_URL } from '$app/env/public';

/** No storage, refresh or URL parsing: a server client is used for one request and dropped. */
const statelessAuth = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/**
 * A client whose session lives in the request's cookies (read, refreshed and written back by @supabase/ssr).
 * `secure` says whether the browser reached us over https: Secure cookies sent over plain http (a LAN
 * address) would be dropped and sign-in would silently fail. `fetch` carries the Auth calls made on the
 * visitor's behalf (auth-calls.ts).
 */
export function createCookieClient(
  cookies: Cookies,
  secure: boolean,
  fetch?: typeof globalThis.fetch,
): SupabaseClient<Database> {
  return createServerClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, {
    ...(fetch ? { global: { fetch } } : {}),
    cookies: {
      getAll: () => cookies.getAll(),
      setAll: (list) => {
        for (const { name, value, options } of list) cookies.set(name, value, { ...options, path: '/', secure });
      },
    },
  });
}

/** A client that sends the given user access token, so every query runs under that user's RLS. */
export function createTokenClient(accessToken: string): SupabaseClient<Database> {
  return createClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, {
    auth: statelessAuth,
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
  });
}

/**
 * Whether the browser's connection is https. adapter-node 6 reports https for every request unless
 * PROTOCOL_HEADER names a proxy header, so without one only an X-Forwarded-Proto of https counts.
 */
export function isHttps(url: URL, headers: Headers): boolean {
  if (process.env.PROTOCOL_HEADER) return url.protocol === 'https:';
  return headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

let verifier: SupabaseClient<Database> | undefined;
const verified = new Map<string, AccessClaims>();
const maxVerified = 5_000;

/** Claims every request needs from a verified access token. */
export interface AccessClaims {
  sub: string;
  email?: string;
  role?: string;
  exp?: number;
  app_metadata?: Record<string, unknown>;
  /** Written by the user (auth.updateUser); only `locale` is read, as a preference. */
  user_metadata?: Record<string, unknown>;
}

/**
 * Verifies a user access token and returns its claims, or null when it is invalid or expired.
 * One shared client keeps the project's JWKS cached, so asymmetric (ES256/RS256) tokens are checked
 * locally without a call to Auth; symmetric ones fall back to GET /auth/v1/user inside getClaims.
 */
export async function verifyAccessToken(token: string): Promise<AccessClaims | null> {
  const known = verified.get(token);
  if (known) {
    if ((known.exp ?? 0) * 1000 > Date.now()) return known;
    verified.delete(token);
  }
  verifier ??= createClient<Database>(PUBLIC_SUPABASE_URL, PUBLIC_SUPABASE_ANON_KEY, { auth: statelessAuth });
  try {
    const { data, error } = await verifier.auth.getClaims(token);
    if (error || !data) return null;
    const claims = data.claims as unknown as AccessClaims;
    if (typeof claims.sub !== 'string' || !claims.sub) return null;
    // A checked signature stays valid until exp; polling clients send the same token for its whole life.
    if (typeof claims.exp === 'number') {
      if (verified.size >= maxVerified) verified.delete(verified.keys().next().value as string);
      verified.set(token, claims);
    }
    return claims;
  } catch {
    return null;
  }
}
