/** JWT checks as Realtime makes them: a valid signature, and `role` and `exp` present. */
import * as jose from 'jose';
import { JwtError, type JwtClaims, type Keys } from '../keys.ts';

/** Claims Realtime accepted: role and exp are guaranteed. */
export interface RealtimeClaims extends JwtClaims {
  role: string;
  exp: number;
}

/** Why a token was refused: the hosted upgrade status and message, and the channel-level code and detail. */
export class TokenError extends Error {
  readonly status: number;
  /** Channel-level wording, e.g. `Token has expired 3 seconds ago`. */
  readonly detail: string;
  readonly code: string;
  constructor(status: number, message: string, joinReason: string) {
    super(message);
    this.name = 'TokenError';
    this.status = status;
    const i = joinReason.indexOf(': ');
    this.code = joinReason.slice(0, i);
    this.detail = joinReason.slice(i + 2);
  }

  /** The `reason` of a join error, `<Code>: <message>` as hosted. */
  get joinReason(): string {
    return `${this.code}: ${this.detail}`;
  }
}

/**
 * Signatures already verified, per key set: a join flood repeats one token thousands of times, and each
 * signature check costs far more than the join refusal it precedes. Only valid tokens are kept (bounded,
 * oldest out first); `exp` is still checked on every use.
 */
const verified = new WeakMap<Keys, Map<string, JwtClaims>>();
const VERIFIED_MAX = 1024;

/** Verifies a token for Realtime; throws TokenError with the hosted messages. */
export async function verifyRealtimeToken(keys: Keys, token: string | null | undefined): Promise<RealtimeClaims> {
  if (typeof token !== 'string' || token === '')
    throw new TokenError(401, 'API key is missing', 'MissingAPIKey: API key is missing');
  let cache = verified.get(keys);
  if (!cache) verified.set(keys, (cache = new Map()));
  let claims: JwtClaims;
  try {
    const known = cache.get(token);
    if (known) claims = known;
    else {
      claims = await keys.verify(token.replace(/\s/g, ''));
      if (cache.size >= VERIFIED_MAX) cache.delete(cache.keys().next().value!);
      cache.set(token, claims);
    }
  } catch (err) {
    if (err instanceof JwtError && err.reason === 'expired') {
      const ago = expiredSecondsAgo(token);
      throw new TokenError(401, 'Token has expired', `InvalidJWTToken: Token has expired ${ago} seconds ago`);
    }
    if (err instanceof JwtError && err.reason === 'signature') {
      throw new TokenError(
        401,
        'Failed to validate JWT signature',
        'JwtSignatureError: Failed to validate JWT signature',
      );
    }
    throw new TokenError(
      401,
      'The token provided is not a valid JWT',
      'MalformedJWT: The token provided is not a valid JWT',
    );
  }
  if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    throw new TokenError(
      401,
      'Fields `role` and `exp` are required in JWT',
      'InvalidJWTToken: Fields `role` and `exp` are required in JWT',
    );
  }
  // keys.verify allows 30 s of clock skew; Realtime allows none
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp <= now) {
    throw new TokenError(
      401,
      'Token has expired',
      `InvalidJWTToken: Token has expired ${now - claims.exp} seconds ago`,
    );
  }
  return claims as RealtimeClaims;
}

function expiredSecondsAgo(token: string): number {
  try {
    const { exp } = jose.decodeJwt(token);
    return typeof exp === 'number' ? Math.max(0, Math.floor(Date.now() / 1000) - exp) : 0;
  } catch {
    return 0;
  }
}
