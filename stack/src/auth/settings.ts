/** Auth server settings, read once from the environment when the service is created. */

export interface AuthSettings {
  /** `iss` of user access tokens: `<publicUrl>/auth/v1`, as GoTrue's API_EXTERNAL_URL gives it. */
  readonly issuer: string;
  /** Access token lifetime in seconds (`VIBE_JWT_EXPIRY`, GoTrue's JWT_EXP; default 3600). */
  readonly jwtExpiry: number;
  /**
   * Seconds a rotated refresh token may still be exchanged (`VIBE_REFRESH_TOKEN_REUSE_INTERVAL`,
   * GoTrue's SECURITY_REFRESH_TOKEN_REUSE_INTERVAL; default 10), so that a client whose refresh
   * response was lost can retry.
   */
  readonly refreshTokenReuseInterval: number;
  /** Shortest accepted password in bytes (GoTrue's PASSWORD_MIN_LENGTH and the CLI's default: 6). */
  readonly minPasswordLength: number;
  /** Roles whose JWT may call /admin (GoTrue's JWT_ADMIN_ROLES default). */
  readonly adminRoles: readonly string[];
  /** The audience of user tokens and of every request (GoTrue's JWT_AUD default). */
  readonly audience: string;
}

function wholeSeconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 7 * 24 * 3600) {
    throw new Error(`Invalid ${name}: expected whole seconds between ${min} and 604800, got "${raw}"`);
  }
  return n;
}

/** Builds the frozen Auth settings; throws naming the variable when one is malformed. */
export function loadAuthSettings(publicUrl: string, env: NodeJS.ProcessEnv = process.env): AuthSettings {
  return Object.freeze({
    issuer: `${publicUrl}/auth/v1`,
    jwtExpiry: wholeSeconds(env, 'VIBE_JWT_EXPIRY', 3600, 30),
    refreshTokenReuseInterval: wholeSeconds(env, 'VIBE_REFRESH_TOKEN_REUSE_INTERVAL', 10, 0),
    minPasswordLength: 6,
    adminRoles: Object.freeze(['service_role', 'supabase_admin']),
    audience: 'authenticated',
  });
}
