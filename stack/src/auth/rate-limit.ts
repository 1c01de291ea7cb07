/**
 * Per-address request limits, as GoTrue's limitHandler applies them: one token bucket per client address
 * and per limiter, refilled at "N per 5 minutes" (config.toml `[auth.rate_limit]`), holding GoTrue's burst
 * of 30 (or N when N is lower, so a lowered limit bites at once). A refused request answers
 * 429 over_request_rate_limit with Retry-After before its endpoint does any work.
 */
import { overRequestRateLimit } from './errors.ts';
import type { RateLimits } from './settings.ts';
import { GOTRUE_BURST, TokenBuckets } from './token-bucket.ts';
import type { ServiceRequest } from '../gateway/http.ts';

/** GoTrue's limiters the local server has endpoints for. */
export type Limiter = 'token' | 'signups' | 'user' | 'verify';

const FIVE_MINUTES = 300;

function buckets(perFiveMinutes: number): TokenBuckets {
  return new TokenBuckets(Math.min(GOTRUE_BURST, perFiveMinutes), perFiveMinutes / FIVE_MINUTES);
}

/**
 * The client's address: the socket's remote address. The gateway is the edge and hands the request over
 * in-process, so nobody in between could vouch for a forwarding header; X-Forwarded-For and
 * Sb-Forwarded-For are client-written and ignored (honouring them would let a client pick a fresh bucket
 * per request).
 */
export function clientAddress(req: ServiceRequest): string {
  const raw = req.raw.socket.remoteAddress ?? 'unknown';
  return raw.startsWith('::ffff:') ? raw.slice(7) : raw;
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
    };
  }

  /** Counts one request from `address` against `limiter`; throws 429 over_request_rate_limit when its bucket is empty. */
  check(limiter: Limiter, address: string): void {
    const taken = this.#limiters?.[limiter].take(address);
    if (taken && !taken.ok) throw overRequestRateLimit(taken.retryAfterSeconds);
  }
}
