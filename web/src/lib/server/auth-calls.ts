/**
 * The calls this server makes to Auth on a visitor's behalf (password sign-in, sign-up, token refresh), per
 * request: they pass through `fetch` here, which
 * - with SUPABASE_SECRET_KEY set, sends them with that key and `Sb-Forwarded-For: <visitor address>`, so
 *   Auth limits each visitor's address instead of this server's (the local stack honours it from secret-key
 *   callers; hosted Auth when IP address forwarding is enabled for the project);
 * - counts refreshes against the visitor's address (sign-in-limits.ts) and answers a refused one with
 *   Auth's own 429, so forged session cookies cannot drain this server's Auth budget;
 * - remembers the Retry-After of a 429 from Auth, for the page to show the wait.
 * Only POSTs to exactly `<project>/auth/v1/token` and `<project>/auth/v1/signup` get the secret key: every
 * other request (REST as the user, /auth/v1/user) goes out unchanged, so RLS still applies to them.
 */
import { isIP } from 'node:net';
import { refreshes } from './sign-in-limits.ts';

/** The visitor address as Auth should see it: IPv4-mapped IPv6 written as IPv4. */
export const bareAddress = (address: string) =>
  address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;

const overLimitBody = JSON.stringify({ code: 'over_request_rate_limit', message: 'Request rate limit reached' });

/** Auth calls of one request. */
export class AuthCalls {
  /** Retry-After (seconds) of the last 429 Auth answered in this request, if it sent one. */
  retryAfterSeconds: number | null = null;
  readonly #address: () => string;
  readonly #secretKey: string | undefined;
  /** Whether the per-visitor limits (sign-in-limits.ts) apply: SIGN_IN_LIMITS, on unless a test turns it off. */
  readonly limited: boolean;
  readonly #token: URL;
  readonly #signup: URL;

  /** `address` is read lazily: adapter-node throws when a configured ADDRESS_HEADER is missing. */
  constructor(projectUrl: string, address: () => string, secretKey: string | undefined, limited = true) {
    const base = projectUrl.endsWith('/') ? projectUrl : `${projectUrl}/`;
    this.#token = new URL('auth/v1/token', base);
    this.#signup = new URL('auth/v1/signup', base);
    this.#address = address;
    this.#secretKey = secretKey;
    this.limited = limited;
  }

  /** The visitor's address (socket, or adapter-node's ADDRESS_HEADER/XFF_DEPTH behind a proxy). */
  address(): string {
    return bareAddress(this.#address());
  }

  /** A fetch for the request's Supabase client. */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const onBehalf =
      request.method === 'POST' &&
      url.origin === this.#token.origin &&
      (url.pathname === this.#token.pathname || url.pathname === this.#signup.pathname);
    if (!onBehalf) return fetch(request);
    if (
      this.limited &&
      url.pathname === this.#token.pathname &&
      url.searchParams.get('grant_type') === 'refresh_token'
    ) {
      const taken = refreshes.take(this.address());
      if (!taken.ok) {
        this.retryAfterSeconds = taken.retryAfterSeconds;
        return new Response(overLimitBody, {
          status: 429,
          headers: {
            'content-type': 'application/json',
            'x-sb-error-code': 'over_request_rate_limit',
            'retry-after': String(taken.retryAfterSeconds),
          },
        });
      }
    }
    const headers = new Headers(request.headers);
    const visitor = this.address();
    if (this.#secretKey && isIP(visitor)) {
      // What a supabase-js client made with the secret key sends; no user token travels on these calls.
      headers.set('apikey', this.#secretKey);
      headers.set('authorization', `Bearer ${this.#secretKey}`);
      headers.set('sb-forwarded-for', visitor);
    }
    const response = await fetch(new Request(request, { headers }));
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      this.retryAfterSeconds = Number.isInteger(seconds) && seconds > 0 ? seconds : null;
    }
    return response;
  };
}
