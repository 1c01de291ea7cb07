/** Auth server settings, read once from the environment and `supabase/config.toml` when the service is created. */
import { readAuthToml, type AuthToml, type TomlValue } from './config-toml.ts';
import { parseBanDuration } from './validate.ts';

/**
 * Per-address request limits (`[auth.rate_limit]`), each "requests per 5 minutes per address": the refill
 * rate of a token bucket that holds at most 30 requests (GoTrue's burst), or the limit itself when lower.
 */
export interface RateLimits {
  /** `token_refresh` (GoTrue's RATE_LIMIT_TOKEN_REFRESH): every POST /token grant, password and refresh alike, shares one bucket. */
  readonly tokenRefresh: number;
  /** `sign_in_sign_ups` (the CLI passes it as GoTrue's RATE_LIMIT_OTP): POST /signup, and PUT /user in a bucket of its own. */
  readonly signInSignUps: number;
  /** `token_verifications` (GoTrue's RATE_LIMIT_VERIFY): POST /verify. */
  readonly tokenVerifications: number;
  /** `email_sent` (GoTrue's RATE_LIMIT_EMAIL_SENT): emails per hour for the whole server, applied only when confirmations are on, as GoTrue. */
  readonly emailSent: number;
  /** `anonymous_users` (GoTrue's RATE_LIMIT_ANONYMOUS_USERS): anonymous sign-ins per hour per address. */
  readonly anonymousUsers: number;
}

/** How the Auth server mails (`[auth]`, `[auth.email]`). */
export interface MailerSettings {
  /** `[auth] site_url`: where links send users when no allowed `redirect_to` is given. */
  readonly siteUrl: string;
  /** `[auth] additional_redirect_urls`: other allowed `redirect_to` targets (exact, or `*`/`**` globs as GoTrue). */
  readonly redirectUrls: readonly string[];
  /** Not `[auth.email] enable_confirmations` (GoTrue's MAILER_AUTOCONFIRM): sign-up signs in at once, without mail. */
  readonly autoconfirm: boolean;
  /** `[auth.email] secure_password_change`: a password change in a session older than 24 h needs a reauthentication code. */
  readonly securePasswordChange: boolean;
  /** `[auth] enable_signup` and `[auth.email] enable_signup` (GoTrue's DISABLE_SIGNUP, inverted). */
  readonly signupEnabled: boolean;
  /** `[auth] enable_anonymous_sign_ins`. */
  readonly anonymousEnabled: boolean;
}

/** TOTP multi-factor authentication (`[auth.mfa]`, `[auth.mfa.totp]`). */
export interface MfaSettings {
  /** `max_enrolled_factors`: factors (verified or not) a user may have. */
  readonly maxEnrolledFactors: number;
  /** `[auth.mfa.totp] enroll_enabled`. */
  readonly totpEnroll: boolean;
  /** `[auth.mfa.totp] verify_enabled`. */
  readonly totpVerify: boolean;
  /** Seconds a challenge can be verified (GoTrue's MFA_CHALLENGE_EXPIRY_DURATION, 300). */
  readonly challengeExpirySeconds: number;
}

/** How an email change is confirmed (`[auth.email]`). */
export interface EmailChangeSettings {
  /** `double_confirm_changes` (GoTrue's MAILER_SECURE_EMAIL_CHANGE_ENABLED): the current address must confirm too. */
  readonly secure: boolean;
  /** `otp_length`: digits of the emailed code. */
  readonly otpLength: number;
  /** `otp_expiry`: seconds a code stays valid. */
  readonly otpExpirySeconds: number;
  /** `max_frequency`: shortest time between two change requests of one user, in milliseconds. */
  readonly maxFrequencyMs: number;
}

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
  /** Per-address limits from `[auth.rate_limit]`; null when `VIBE_AUTH_RATE_LIMITS=off` (the shared test stack). */
  readonly rateLimits: RateLimits | null;
  readonly emailChange: EmailChangeSettings;
  readonly mailer: MailerSettings;
  readonly mfa: MfaSettings;
  /** Seconds a PKCE flow state stays exchangeable (GoTrue's FLOW_STATE_EXPIRY_DURATION, 300). */
  readonly flowStateExpirySeconds: number;
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

function tomlInt(toml: AuthToml, table: string, key: string, fallback: number, min: number, max: number): number {
  const v: TomlValue | undefined = toml.get(table)?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(
      `Invalid config.toml [auth${table ? `.${table}` : ''}] ${key}: expected a whole number between ${min} and ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function tomlBool(toml: AuthToml, table: string, key: string, fallback: boolean): boolean {
  const v = toml.get(table)?.[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean')
    throw new Error(
      `Invalid config.toml [auth${table ? `.${table}` : ''}] ${key}: expected true or false, got ${JSON.stringify(v)}`,
    );
  return v;
}

function tomlDurationMs(toml: AuthToml, table: string, key: string, fallback: string): number {
  const v = toml.get(table)?.[key] ?? fallback;
  let ms = NaN;
  try {
    ms = typeof v === 'string' ? parseBanDuration(v) : NaN;
  } catch {
    // reported below with the key's name
  }
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(
      `Invalid config.toml [auth.${table}] ${key}: expected a duration such as "1s" or "1m30s", got ${JSON.stringify(v)}`,
    );
  return ms;
}

function tomlStrings(toml: AuthToml, table: string, key: string): string[] {
  const v = toml.get(table)?.[key];
  if (v === undefined) return [];
  if (!Array.isArray(v))
    throw new Error(
      `Invalid config.toml [auth${table ? `.${table}` : ''}] ${key}: expected a list of strings, got ${JSON.stringify(v)}`,
    );
  return v;
}

function tomlUrl(toml: AuthToml, key: string, fallback: string): string {
  const v = toml.get('')?.[key] ?? fallback;
  if (typeof v !== 'string' || !URL.canParse(v) || !/^https?:$/.test(new URL(v).protocol))
    throw new Error(`Invalid config.toml [auth] ${key}: expected an http(s) URL, got ${JSON.stringify(v)}`);
  return v;
}

function rateLimits(toml: AuthToml, env: NodeJS.ProcessEnv): RateLimits | null {
  const mode = env.VIBE_AUTH_RATE_LIMITS ?? '';
  if (mode === 'off') return null;
  if (mode !== '' && mode !== 'on')
    throw new Error(`Invalid VIBE_AUTH_RATE_LIMITS: expected "on" or "off", got "${mode}"`);
  const max = 1_000_000_000;
  // Defaults are GoTrue's when config.toml leaves a key out.
  return Object.freeze({
    tokenRefresh: tomlInt(toml, 'rate_limit', 'token_refresh', 150, 1, max),
    signInSignUps: tomlInt(toml, 'rate_limit', 'sign_in_sign_ups', 30, 1, max),
    tokenVerifications: tomlInt(toml, 'rate_limit', 'token_verifications', 30, 1, max),
    emailSent: tomlInt(toml, 'rate_limit', 'email_sent', 30, 0, max),
    anonymousUsers: tomlInt(toml, 'rate_limit', 'anonymous_users', 30, 1, max),
  });
}

/**
 * Builds the frozen Auth settings from the environment and `configToml` (the project's supabase/config.toml;
 * null or a missing file means the CLI's defaults); throws naming the variable or key when one is malformed.
 */
export function loadAuthSettings(
  publicUrl: string,
  env: NodeJS.ProcessEnv = process.env,
  configToml: string | null = null,
): AuthSettings {
  const toml: AuthToml = configToml ? readAuthToml(configToml) : new Map();
  const confirmations = tomlBool(toml, 'email', 'enable_confirmations', false);
  return Object.freeze({
    issuer: `${publicUrl}/auth/v1`,
    // The environment wins over config.toml, so a test or a deployment can override the project's file.
    jwtExpiry: wholeSeconds(env, 'VIBE_JWT_EXPIRY', tomlInt(toml, '', 'jwt_expiry', 3600, 30, 604800), 30),
    refreshTokenReuseInterval: wholeSeconds(
      env,
      'VIBE_REFRESH_TOKEN_REUSE_INTERVAL',
      tomlInt(toml, '', 'refresh_token_reuse_interval', 10, 0, 604800),
      0,
    ),
    minPasswordLength: tomlInt(toml, '', 'minimum_password_length', 6, 6, 72),
    adminRoles: Object.freeze(['service_role', 'supabase_admin']),
    audience: 'authenticated',
    rateLimits: rateLimits(toml, env),
    emailChange: Object.freeze({
      secure: tomlBool(toml, 'email', 'double_confirm_changes', true),
      otpLength: tomlInt(toml, 'email', 'otp_length', 6, 6, 10),
      otpExpirySeconds: tomlInt(toml, 'email', 'otp_expiry', 3600, 1, 86400),
      maxFrequencyMs: tomlDurationMs(toml, 'email', 'max_frequency', '1s'),
    }),
    mailer: Object.freeze({
      siteUrl: tomlUrl(toml, 'site_url', 'http://127.0.0.1:3000'),
      redirectUrls: Object.freeze(tomlStrings(toml, '', 'additional_redirect_urls')),
      autoconfirm: !confirmations,
      securePasswordChange: tomlBool(toml, 'email', 'secure_password_change', false),
      signupEnabled: tomlBool(toml, '', 'enable_signup', true) && tomlBool(toml, 'email', 'enable_signup', true),
      anonymousEnabled: tomlBool(toml, '', 'enable_anonymous_sign_ins', false),
    }),
    mfa: Object.freeze({
      maxEnrolledFactors: tomlInt(toml, 'mfa', 'max_enrolled_factors', 10, 1, 100),
      totpEnroll: tomlBool(toml, 'mfa.totp', 'enroll_enabled', true),
      totpVerify: tomlBool(toml, 'mfa.totp', 'verify_enabled', true),
      challengeExpirySeconds: 300,
    }),
    flowStateExpirySeconds: 300,
  });
}
