/**
 * Per-address request limits, as GoTrue's limitHandler applies them: one token bucket per client address
 * and per limiter, refilled at "N per 5 minutes" (config.toml `[auth.rate_limit]`), holding GoTrue's burst
 * of 30 (or N when N is lower, so a lowered limit bites at once). A refused request answers
 * 429 over_request_rate_limit with Retry-After before its endpoint does any work.
 */
import { isIP } from 'node:net';
import { header, type ServiceRequest } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';
import { overRequestRateLimit } from './errors.ts';
import type { RateLimits } from './settings.ts';
import { GOTRUE_BURST, TokenBuckets } from './token-bucket.ts';

/** GoTrue's limiters the local server has endpoints for. */
export type Limiter =
  | 'token'
  | 'signups'
  | 'user'
  | 'verify'
  | 'recover'
  | 'resend'
  | 'otp'
  | 'magiclink'
  | 'anonymous'
  | 'mfa_challenge'
  | 'mfa_verify';

const FIVE_MINUTES = 300;

function buckets(perFiveMinutes: number): TokenBuckets {
  return new TokenBuckets(Math.min(GOTRUE_BURST, perFiveMinutes), perFiveMinutes / FIVE_MINUTES);
}

const bare = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address);

/**
 * The client's address: the socket's remote address. The gateway is the edge and hands the request over
 * in-process, so no proxy in between could vouch for a forwarding header: X-Forwarded-For is client-written
 * and ignored (honouring it would let a client pick a fresh bucket per request). The one exception is
 * GoTrue's Sb-Forwarded-For (its first value, an IP address) on a request made with the secret key: a server
 * that signs users in on their behalf names the visitor that way, and a secret-key holder could reach the
 * admin API anyway, so it gains nothing by lying.
 */
export function clientAddress(req: ServiceRequest, keys: Keys): string {
  const forwarded = header(req.headers, 'sb-forwarded-for');
  if (forwarded && header(req.headers, 'apikey') === keys.serviceRoleKey) {
    const first = forwarded.split(',')[0]!.trim();
    if (isIP(first)) return bare(first);
  }
  return bare(req.raw.socket.remoteAddress ?? 'unknown');
}

/** The limiters of one Auth server (separate instances, as GoTrue's Signups and User share a rate, not a bucket). */
export class AddressLimits {
  readonly #limiters: Record<Limiter, TokenBuckets> | null;

  constructor(limits: RateLimits | null) {
    this.#limiters = limits && {
      token: buckets(limits.tokenRefresh),
      signups: buckets(limits.signInSignUps),
      user: buckets(limits.signInSignUps),
      verify: buckets(limits.tokenVerifications),
      // GoTrue gives each of these its own bucket at RATE_LIMIT_OTP (`sign_in_sign_ups` in the CLI's config).
      recover: buckets(limits.signInSignUps),
      resend: buckets(limits.signInSignUps),
      otp: buckets(limits.signInSignUps),
      magiclink: buckets(limits.signInSignUps),
      // `anonymous_users` per hour, the whole hour's allowance as the burst (GoTrue's AnonymousSignIns limiter).
      anonymous: new TokenBuckets(limits.anonymousUsers, limits.anonymousUsers / 3600),
      // GoTrue's MFA_RATE_LIMIT_CHALLENGE_AND_VERIFY: 15 per minute, burst 30, one bucket each.
      mfa_challenge: new TokenBuckets(GOTRUE_BURST, 15 / 60),
      mfa_verify: new TokenBuckets(GOTRUE_BURST, 15 / 60),
    };
  }

  /** Counts one request from `address` against `limiter`; throws 429 over_request_rate_limit when its bucket is empty. */
  check(limiter: Limiter, address: string): void {
    const taken = this.#limiters?.[limiter].take(address);
    if (taken && !taken.ok) throw overRequestRateLimit(taken.retryAfterSeconds);
  }
}
