/** Request checks GoTrue makes before touching the database: JSON body, email, password strength, ban duration. */
import { AuthError, validationFailed } from './errors.ts';

/** GoTrue's MaxPasswordLength: bcrypt ignores bytes after the 72nd, so longer passwords are refused. */
export const MAX_PASSWORD_BYTES = 72;

// The format checkmail.ValidateFormat accepts (GoTrue's email check).
const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A JSON object body; 400 bad_json otherwise, with the parser's reason. */
export function parseBody(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AuthError(400, 'bad_json', 'Could not parse request body as JSON: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A string field, or undefined when absent/null; 400 bad_json when it has another type. */
export function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: "${name}" must be a string`);
  return v;
}

/** An object field (metadata), or undefined when absent/null; 400 bad_json when it is not an object. */
export function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: "${name}" must be a JSON object`);
  }
  return v as Record<string, unknown>;
}

/** A boolean field, false when absent. */
export function boolField(body: Record<string, unknown>, name: string): boolean {
  const v = body[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean')
    throw new AuthError(400, 'bad_json', `Could not parse request body as JSON: "${name}" must be true or false`);
  return v;
}

/** The lower-cased email, or 400 validation_failed as GoTrue's validateEmail answers. */
export function validateEmail(email: string | undefined): string {
  if (!email) throw validationFailed('An email address is required');
  if (email.length > 255) throw validationFailed('An email address is too long');
  if (!EMAIL_RE.test(email)) throw validationFailed('Unable to validate email address: invalid format');
  return email.toLowerCase();
}

/** GoTrue's weak-password verdict (only the length rule applies locally), or null when the password is strong enough. */
export function passwordWeakness(password: string, minLength: number): { message: string; reasons: string[] } | null {
  if (Buffer.byteLength(password, 'utf8') >= minLength) return null;
  return { message: `Password should be at least ${minLength} characters.`, reasons: ['length'] };
}

/** Refuses passwords GoTrue refuses: too long (400), or shorter than the minimum (422 weak_password, reason "length"). */
export function checkPasswordStrength(password: string, minLength: number): void {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw validationFailed(`Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
  // Postgres text cannot hold NUL, so such a password could never be stored or checked.
  if (password.includes('\u0000')) throw validationFailed('Password cannot contain the NUL character');
  const weak = passwordWeakness(password, minLength);
  if (weak) throw new AuthError(422, 'weak_password', weak.message, weak.reasons);
}

/** True for a UUID in its textual form. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration (`"24h"`, `"1h30m"`, `"90s"`, `"none"` = 0) into milliseconds, as `ban_duration` takes it. */
export function parseBanDuration(text: string): number {
  if (text === 'none') return 0;
  const invalid = () => validationFailed(`invalid format for ban duration: time: invalid duration "${text}"`);
  const m = /^([-+]?)(.*)$/.exec(text)!;
  let rest = m[2]!;
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part) throw invalid();
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}
