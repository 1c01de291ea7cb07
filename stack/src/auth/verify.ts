/**
 * /verify, GoTrue's checks and answers:
 * - `POST /verify` (auth-js `verifyOtp`) with `email` + `token` (the typed code) or `token_hash` (the link's
 *   token): answers a session (or, for the first of two email-change confirmations, GoTrue's message);
 * - `GET /verify?token=<token_hash>&type=&redirect_to=` (the link in the mail, reachable without an apikey as
 *   the CLI's gateway leaves it open): 303 to `redirect_to` with the session in the fragment (implicit flow), or
 *   with `?code=` for a PKCE flow (`pkce_` token), which `exchangeCodeForSession` trades; errors go to
 *   `redirect_to` as `#error=…&error_code=…&error_description=…`.
 * Types: signup, invite, magiclink, recovery, email (signup or magic-link code), email_change. Phone types
 * find no code (no SMS locally) and answer 403 otp_expired, as GoTrue does for an unknown code.
 */
import type pg from 'pg';
import type { AuthCall, Endpoint } from './call.ts';
import { withTx } from './db.ts';
import { confirmEmailChange, SINGLE_CONFIRMATION_ACCEPTED, tokenHash } from './email-change.ts';
import { authMethodOf } from './email-flows.ts';
import { AuthError, validationFailed } from './errors.ts';
import { allowedRedirect } from './mailer.ts';
import { issueSession } from './sessions.ts';
import type { TokenResponse } from './tokens.ts';
import { parseBody, stringField, validateEmail } from './validate.ts';

const EMAIL_TYPES = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'];
const PHONE_TYPES = ['sms', 'phone_change'];

interface Proof {
  type: string;
  tokenHash: string;
  /** Present when the code was typed: the address it was sent to. */
  email?: string;
}

const linkInvalid = () => new AuthError(403, 'otp_expired', 'Email link is invalid or has expired');
const codeInvalid = () => new AuthError(403, 'otp_expired', 'Token has expired or is invalid');

interface TokenRow {
  id: string;
  confirmation_token: string;
  recovery_token: string;
  confirmation_expired: boolean;
  recovery_expired: boolean;
  banned: boolean;
  confirmed: boolean;
}

/**
 * Finds the user a signup/invite/magiclink/recovery/email code or link belongs to (locking the row), checks
 * expiry (`otp_expiry` from the matching `*_sent_at`) and returns the user id and the type it verified as
 * (`email` resolves to signup or magiclink, as GoTrue's EmailOTPVerification).
 */
async function findByToken(tx: pg.PoolClient, call: AuthCall, p: Proof): Promise<{ id: string; type: string }> {
  const byLink = p.email === undefined;
  const invalid = byLink ? linkInvalid : codeInvalid;
  const { rows } = await tx.query<TokenRow>(
    `select id, coalesce(confirmation_token, '') as confirmation_token, coalesce(recovery_token, '') as recovery_token,
       coalesce(confirmation_sent_at + make_interval(secs => $2) < now(), true) as confirmation_expired,
       coalesce(recovery_sent_at + make_interval(secs => $2) < now(), true) as recovery_expired,
       coalesce(banned_until > now(), false) as banned, email_confirmed_at is not null as confirmed
     from auth.users
     where aud = $3 and ${
       byLink
         ? `(confirmation_token = $1::text or recovery_token = $1::text)`
         : `lower(email) = lower($4::text) and (confirmation_token in ($1::text, 'pkce_' || $1::text) or recovery_token in ($1::text, 'pkce_' || $1::text))`
     }
     for update`,
    byLink
      ? [p.tokenHash, call.settings.emailChange.otpExpirySeconds, call.settings.audience]
      : [p.tokenHash, call.settings.emailChange.otpExpirySeconds, call.settings.audience, p.email],
  );
  const matches = (stored: string) => stored !== '' && (stored === p.tokenHash || stored === `pkce_${p.tokenHash}`);
  for (const row of rows) {
    const confirmation = matches(row.confirmation_token) && !row.confirmation_expired;
    const recovery = matches(row.recovery_token) && !row.recovery_expired;
    let type: string | null = null;
    if ((p.type === 'signup' || p.type === 'invite') && confirmation) type = p.type;
    else if ((p.type === 'recovery' || p.type === 'magiclink') && recovery) type = p.type;
    else if (p.type === 'email') type = confirmation ? 'signup' : recovery ? 'magiclink' : null;
    if (!type) continue;
    if (row.banned) throw new AuthError(403, 'user_banned', 'User is banned');
    return { id: row.id, type };
  }
  throw invalid();
}

/** Applies a verified signup/invite/magiclink/recovery token: spends it and confirms the address. */
async function applyToken(tx: pg.PoolClient, userId: string, type: string): Promise<void> {
  const column = type === 'signup' || type === 'invite' ? 'confirmation_token' : 'recovery_token';
  await tx.query(
    `update auth.users set ${column} = '', email_confirmed_at = coalesce(email_confirmed_at, now()),
       raw_user_meta_data = case when email_confirmed_at is null
         then coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb else raw_user_meta_data end,
       updated_at = now()
     where id = $1`,
    [userId],
  );
  await tx.query(
    `update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
     where user_id = $1 and provider = 'email' and lower(identity_data ->> 'email') = (select lower(email) from auth.users where id = $1)`,
    [userId],
  );
}

type Outcome =
  | { kind: 'session'; session: TokenResponse }
  | { kind: 'message'; msg: string }
  | { kind: 'code'; code: string };

/** Verifies and applies the proof; `pkce` asks for an auth code instead of a session (GET with a `pkce_` token). */
async function run(call: AuthCall, proof: Proof, pkce: boolean): Promise<Outcome> {
  const deps = { pool: call.pool, keys: call.keys, settings: call.settings };
  return withTx(call.pool, async (tx) => {
    if (proof.type === 'email_change') {
      const { secure, otpExpirySeconds } = call.settings.emailChange;
      const out = await confirmEmailChange(tx, deps, proof, secure, otpExpirySeconds);
      if ('msg' in out) return { kind: 'message', msg: out.msg };
      return { kind: 'session', session: out };
    }
    const found = await findByToken(tx, call, proof);
    await applyToken(tx, found.id, found.type);
    if (pkce) return { kind: 'code', code: await issueAuthCode(tx, found.id, found.type) };
    return { kind: 'session', session: await issueSession(deps, found.id, 'otp', tx) };
  });
}

/** GoTrue's issueAuthCode: the newest PKCE flow of the user for this kind of link hands out its auth code. */
async function issueAuthCode(tx: pg.PoolClient, userId: string, type: string): Promise<string> {
  const { rows } = await tx.query<{ auth_code: string }>(
    `update auth.flow_state set auth_code_issued_at = now(), updated_at = now()
     where id = (select id from auth.flow_state where user_id = $1 and authentication_method = $2 order by created_at desc limit 1)
     returning auth_code`,
    [userId, authMethodOf(type)],
  );
  if (!rows[0])
    throw new AuthError(
      400,
      'flow_state_not_found',
      'No associated flow state found. No valid flow state found for user.',
    );
  return rows[0].auth_code;
}

function checkType(type: string, byToken: boolean): void {
  if (!EMAIL_TYPES.includes(type) && !PHONE_TYPES.includes(type))
    throw validationFailed(byToken ? 'Unsupported verification type' : 'Invalid email verification type');
}

/** POST /verify; limited per address by `token_verifications`. */
export const verify: Endpoint = async (call) => {
  call.limits.check('verify', call.address);
  if (call.req.method === 'GET') return verifyLink(call);
  const body = parseBody(call.req.body);
  const type = stringField(body, 'type') ?? '';
  const token = stringField(body, 'token') ?? '';
  const hash = stringField(body, 'token_hash') ?? '';
  const email = stringField(body, 'email') ?? '';
  const phone = stringField(body, 'phone') ?? '';
  const redirectTo = stringField(body, 'redirect_to') ?? '';
  if (!type) throw validationFailed('Verify requires a verification type');
  if ((!token && !hash) || (token && hash)) throw validationFailed('Verify requires either a token or a token hash');
  let proof: Proof;
  if (token) {
    if (email && !phone) {
      let address: string;
      try {
        address = validateEmail(email);
      } catch {
        throw new AuthError(422, 'validation_failed', 'Invalid email format');
      }
      proof = { type, tokenHash: tokenHash(address, token), email: address };
    } else if (phone && !email) {
      // No SMS provider locally, so no phone code was ever sent.
      throw codeInvalid();
    } else {
      throw validationFailed('Only an email address or phone number should be provided on verify');
    }
  } else {
    if (email || phone || redirectTo) throw validationFailed('Only the token_hash and type should be provided');
    proof = { type, tokenHash: hash };
  }
  checkType(type, token !== '');
  if (PHONE_TYPES.includes(type)) throw token ? codeInvalid() : linkInvalid();
  const out = await run(call, proof, false);
  if (out.kind === 'message') return { status: 200, body: { msg: out.msg, code: '200' } };
  if (out.kind === 'code') throw new Error('unreachable: POST /verify never asks for an auth code');
  return { status: 200, body: out.session };
};

const OAUTH_ERRORS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  429: 'access_denied',
  500: 'server_error',
};

/** GET /verify: the mail's link. */
async function verifyLink(call: AuthCall): ReturnType<Endpoint> {
  const q = call.req.url.searchParams;
  const type = q.get('type') ?? '';
  const token = q.get('token') ?? '';
  const redirectTo = allowedRedirect(call.settings.mailer, q.get('redirect_to'));
  if (!type) throw validationFailed('Verify requires a verification type');
  if (!token) throw validationFailed('Verify requires a token or a token hash');
  const pkce = token.startsWith('pkce_');
  const target = new URL(redirectTo);
  const redirect = (fragment: URLSearchParams, query?: URLSearchParams) => {
    if (query) for (const [k, v] of query) target.searchParams.set(k, v);
    if ([...fragment].length) target.hash = fragment.toString();
    return { status: 303, headers: { location: target.toString() } };
  };
  try {
    if (!EMAIL_TYPES.includes(type) || type === 'email')
      throw validationFailed(
        type === 'email' || PHONE_TYPES.includes(type)
          ? 'Unsupported verification type'
          : 'Invalid email verification type',
      );
    const out = await run(call, { type, tokenHash: token }, pkce && type !== 'email_change');
    if (out.kind === 'message') {
      const f = new URLSearchParams({ message: SINGLE_CONFIRMATION_ACCEPTED, sb: '' });
      return redirect(f, pkce ? new URLSearchParams({ message: SINGLE_CONFIRMATION_ACCEPTED }) : undefined);
    }
    if (out.kind === 'code') return redirect(new URLSearchParams(), new URLSearchParams({ code: out.code }));
    const s = out.session;
    const f = new URLSearchParams({
      access_token: s.access_token,
      expires_at: String(s.expires_at),
      expires_in: String(s.expires_in),
      refresh_token: s.refresh_token,
      token_type: s.token_type,
      type,
    });
    return redirect(f);
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    const f = new URLSearchParams();
    const error = OAUTH_ERRORS[err.status];
    if (error) f.set('error', error);
    f.set('error_code', err.code);
    f.set('error_description', err.message);
    const query = pkce ? new URLSearchParams(f) : undefined;
    f.set('sb', '');
    return redirect(f, query);
  }
}
