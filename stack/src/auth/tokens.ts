/** User access tokens (ES256, GoTrue's claims) and the token response auth-js stores as its session. */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Keys } from '../keys.ts';
import type { AuthSettings } from './settings.ts';
import type { UserRecord } from './users.ts';

/** One `amr` entry: how and when the session was authenticated. */
export interface AmrEntry {
  method: string;
  timestamp: number;
}

/** GoTrue's AccessTokenResponse. */
export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
}

/** The claims GoTrue's GenerateAccessToken puts in a user token (iat/exp are added when signing). */
export function accessTokenClaims(
  settings: AuthSettings,
  user: UserRecord,
  sessionId: string,
  amr: AmrEntry[],
  aal: string = 'aal1',
): Record<string, unknown> {
  return {
    iss: settings.issuer,
    sub: user.id,
    aud: user.aud,
    email: user.email,
    phone: user.phone,
    app_metadata: user.appMetadata,
    user_metadata: user.userMetadata,
    role: user.role,
    aal,
    amr,
    session_id: sessionId,
    is_anonymous: user.isAnonymous,
  };
}

/** Signs a fresh access token for the session and wraps it with the refresh token in GoTrue's response shape. */
export async function tokenResponse(
  keys: Keys,
  settings: AuthSettings,
  user: UserRecord,
  sessionId: string,
  amr: AmrEntry[],
  refreshToken: string,
  aal: string = 'aal1',
): Promise<TokenResponse> {
  const accessToken = await keys.signUserToken(
    accessTokenClaims(settings, user, sessionId, amr, aal),
    settings.jwtExpiry,
  );
  // Read exp back so expires_at is exactly the token's expiry.
  const expiresAt = decodeJwt(accessToken).exp!;
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: settings.jwtExpiry,
    expires_at: expiresAt,
    refresh_token: refreshToken,
    user: user.json,
  };
}

/** An opaque refresh token: 144 random bits, URL-safe. */
export function newRefreshToken(): string {
  return randomBytes(18).toString('base64url');
}
