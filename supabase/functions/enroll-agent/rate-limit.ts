/**
 * Enrollment attempts per client address, counted in Postgres (private.enrollment_attempts through the
 * service-role RPCs take_enrollment_attempt / refund_enrollment_attempt), so the limit holds on hosted
 * Supabase and across function instances without another service.
 *
 * Every attempt that looks a token up takes one unit first (atomically, so a burst of parallel guesses
 * cannot slip past the check); a successful enrollment gives its unit back. So failures (token_invalid,
 * token_used, token_expired) count and a fleet rollout does not: 30 failures per address per 5 minutes
 * leaves room for typos and scripts that retry, even with many hosts enrolling at once behind one NAT
 * address, while a guesser gets 8,640 tries a day against 244-bit tokens.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../_shared/database.types.ts';
import { json } from '../_shared/http.ts';

/** Limit settings; from VIBE_ENROLL_RATE_LIMIT, VIBE_ENROLL_RATE_WINDOW_S and VIBE_ENROLL_PROXY_HOPS. */
export interface RateLimitSettings {
  /** Failed attempts allowed per address and window. */
  limit: number;
  /** Window length in seconds (fixed windows aligned to the epoch). */
  windowSeconds: number;
  /** Proxies of the platform that append themselves to X-Forwarded-For after the client's entry. */
  proxyHops: number;
}

/** The outcome of taking one attempt: refused with the seconds until the window ends, or a unit to give back on success. */
export type Attempt = { allowed: false; retryAfter: number } | { allowed: true; refund: () => Promise<void> };

/** Reads the settings from `env` (Deno.env.get), refusing values outside sane ranges so a typo cannot disable the limit. */
export function rateLimitSettings(env: (name: string) => string | undefined): RateLimitSettings {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env(name);
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`Invalid ${name}=${raw}: expected a whole number ${min}..${max}`);
    return n;
  };
  return {
    limit: int('VIBE_ENROLL_RATE_LIMIT', 30, 1, 100_000),
    windowSeconds: int('VIBE_ENROLL_RATE_WINDOW_S', 300, 1, 86_400),
    proxyHops: int('VIBE_ENROLL_PROXY_HOPS', 0, 0, 10),
  };
}

/** Takes one attempt for `address`; throws when the counter cannot be reached (the caller answers 503). */
export async function takeAttempt(
  admin: SupabaseClient<Database>,
  address: string,
  s: RateLimitSettings,
): Promise<Attempt> {
  const { data, error } = await admin.rpc('take_enrollment_attempt', {
    p_address: address,
    p_limit: s.limit,
    p_window_seconds: s.windowSeconds,
  });
  if (error) throw new Error(`Cannot count the enrollment attempt: ${error.message}`);
  const r = data as { allowed: boolean; retry_after: number; window_start: string };
  if (!r.allowed) return { allowed: false, retryAfter: r.retry_after };
  return {
    allowed: true,
    refund: async () => {
      // Best effort: a lost refund only costs this address one unit until the window ends.
      await admin.rpc('refund_enrollment_attempt', { p_address: address, p_window_start: r.window_start });
    },
  };
}

/** The 429 answer: the function's error body with code over_request_rate_limit, and Retry-After. */
export function tooManyAttempts(retryAfter: number): Response {
  const res = json(
    {
      error: 'over_request_rate_limit',
      message: `Too many enrollment attempts from this address; retry in ${retryAfter} s (check that the token was copied completely, or ask an admin for a new one)`,
    },
    429,
  );
  res.headers.set('Retry-After', String(retryAfter));
  return res;
}
