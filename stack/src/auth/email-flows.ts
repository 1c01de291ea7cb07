/**
 * The flows that mail a code and a link, as GoTrue runs them: password recovery (POST /recover), magic link
 * and email OTP (POST /otp, /magiclink), sign-up confirmation (POST /signup with confirmations on, /resend),
 * invites (POST /invite, admin generate_link) and reauthentication (GET /reauthenticate).
 *
 * Tokens are stored as GoTrue stores them, in auth.users: `sha224(email + code)` in hex (the link's
 * `token_hash`), prefixed `pkce_` when the request carried a PKCE code_challenge; `*_sent_at` starts
 * `otp_expiry` and `max_frequency`. Mail is handed to the outbox only after the transaction commits.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AuthCall, Endpoint, MailRequest } from './call.ts';
import { mapDbError, withTx, type Db } from './db.ts';
import { requestEmailChange, tokenHash } from './email-change.ts';
import { AuthError, validationFailed } from './errors.ts';
import { requireAdmin, requireUser } from './guard.ts';
import { allowedRedirect, type MailKind } from './mailer.ts';
import { findUserByEmail, findUserById, insertUser, setPassword, type UserRecord } from './users.ts';
import { checkPasswordStrength, objectField, parseBody, stringField, validateEmail } from './validate.ts';

/** GoTrue's GenerateOtp: `length` random digits. */
export function newOtp(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** A PKCE request's challenge, or null for the implicit flow. */
export interface Pkce {
  method: 's256' | 'plain';
  challenge: string;
}

/** GoTrue's validatePKCEParams: both or neither; 43–128 characters of [A-Za-z0-9._~-]; method s256 or plain. */
export function pkceParams(body: Record<string, unknown>): Pkce | null {
  const challenge = stringField(body, 'code_challenge') ?? '';
  const method = stringField(body, 'code_challenge_method') ?? '';
  if ((challenge === '') !== (method === ''))
    throw validationFailed('PKCE flow requires code_challenge_method and code_challenge');
  if (!challenge) return null;
  if (challenge.length < 43 || challenge.length > 128)
    throw validationFailed('code challenge has to be between 43 and 128 characters');
  if (!/^[a-zA-Z._~0-9-]+$/.test(challenge))
    throw validationFailed(
      'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes',
    );
  const m = method.toLowerCase();
  if (m !== 's256' && m !== 'plain') throw validationFailed(`code challenge method not supported: ${method}`);
  return { method: m, challenge };
}

/** Records a PKCE flow for the user: its auth code is handed out once the email link is verified. */
export async function createFlowState(db: Db, userId: string, authMethod: string, pkce: Pkce): Promise<void> {
  await db.query(
    `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
       authentication_method, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $6, now(), now())`,
    [randomUUID(), userId, randomUUID(), pkce.method, pkce.challenge, authMethod],
  );
}

/** The flow state authentication method of a /verify type (GoTrue's ParseAuthenticationMethod). */
export function authMethodOf(type: string): string {
  return type === 'signup' ? 'email/signup' : type;
}

/** The token columns of one email action. */
const COLUMNS: Record<'confirmation' | 'recovery' | 'reauthentication', { token: string; sentAt: string }> = {
  confirmation: { token: 'confirmation_token', sentAt: 'confirmation_sent_at' },
  recovery: { token: 'recovery_token', sentAt: 'recovery_sent_at' },
  reauthentication: { token: 'reauthentication_token', sentAt: 'reauthentication_sent_at' },
};

/** GoTrue's validateSentWithinFrequencyLimit: 429 over_email_send_rate_limit within `max_frequency` of the last mail. */
async function checkFrequency(db: Db, userId: string, sentAt: string, maxFrequencyMs: number): Promise<void> {
  const { rows } = await db.query<{ wait_ms: number | null }>(
    `select ceil(extract(epoch from (${sentAt} + make_interval(secs => $2::float8 / 1000) - now())) * 1000)::float8 as wait_ms
     from auth.users where id = $1 for update`,
    [userId, maxFrequencyMs],
  );
  const waitMs = rows[0]?.wait_ms ?? null;
  if (waitMs !== null && waitMs > 0)
    throw new AuthError(
      429,
      'over_email_send_rate_limit',
      `For security purposes, you can only request this after ${Math.max(1, Math.floor(waitMs / 1000))} seconds.`,
    );
}

/**
 * Stores a fresh token for the mail (after the frequency check and the global email limit) and returns the
 * mail to send once the transaction commits.
 */
export async function prepareMail(
  call: AuthCall,
  db: Db,
  user: { id: string; email: string },
  kind: Exclude<MailKind, 'email_change_current' | 'email_change_new'>,
  options: { pkce?: Pkce | null; redirectTo?: string; checkFrequency?: boolean; invited?: boolean } = {},
): Promise<MailRequest> {
  const col =
    COLUMNS[
      kind === 'signup' || kind === 'invite'
        ? 'confirmation'
        : kind === 'reauthentication'
          ? 'reauthentication'
          : 'recovery'
    ];
  const email = call.settings.emailChange;
  if (options.checkFrequency !== false) await checkFrequency(db, user.id, col.sentAt, email.maxFrequencyMs);
  call.emailLimit.take();
  const otp = newOtp(email.otpLength);
  const hash = tokenHash(user.email, otp);
  const stored = options.pkce ? `pkce_${hash}` : hash;
  await db.query(
    `update auth.users set ${col.token} = $2, ${col.sentAt} = now()${options.invited ? ', invited_at = now()' : ''}, updated_at = now() where id = $1`,
    [user.id, stored],
  );
  if (options.pkce)
    await createFlowState(db, user.id, authMethodOf(kind === 'recovery' ? 'recovery' : kind), options.pkce);
  return { to: user.email, kind, otp, tokenHash: stored, redirectTo: options.redirectTo };
}

/** The `redirect_to` of a request (query string, as auth-js sends it), checked against the allow list. */
export function redirectOf(call: AuthCall, body?: Record<string, unknown>): string {
  const requested =
    call.req.url.searchParams.get('redirect_to') ?? (body ? stringField(body, 'redirect_to') : undefined);
  return allowedRedirect(call.settings.mailer, requested);
}

const signupDisabled = () => new AuthError(422, 'signup_disabled', 'Signups not allowed for this instance');

/** POST /recover: mails a recovery link and code; answers `{}` whether or not the address has an account. */
export const recover: Endpoint = async (call) => {
  call.limits.check('recover', call.address);
  const body = parseBody(call.req.body);
  const raw = stringField(body, 'email');
  if (!raw) throw validationFailed('Password recovery requires an email');
  const email = validateEmail(raw);
  const pkce = pkceParams(body);
  const redirectTo = redirectOf(call, body);
  const mail = await withTx(call.pool, async (tx) => {
    const user = await findUserByEmail(tx, email, call.settings.audience);
    if (!user) return null;
    return prepareMail(call, tx, user, 'recovery', { pkce, redirectTo });
  });
  if (mail) call.outbox(mail);
  return { status: 200, body: {} };
};

/**
 * Creates an unconfirmed (or, with auto-confirm, confirmed) email user without a usable password, as
 * GoTrue's magic link does for a new address; returns the user.
 */
async function createEmailUser(
  call: AuthCall,
  tx: pg.PoolClient,
  email: string,
  data: Record<string, unknown>,
  confirmed: boolean,
): Promise<UserRecord> {
  try {
    const id = await insertUser(tx, {
      email,
      password: null,
      aud: call.settings.audience,
      role: 'authenticated',
      userMetadata: data,
      appMetadata: { provider: 'email', providers: ['email'] },
      confirmed,
      identityExtra: data,
    });
    return (await findUserById(tx, id))!;
  } catch (err) {
    throw mapDbError(err, new AuthError(422, 'user_already_exists', 'User already registered'));
  }
}

/**
 * POST /otp and /magiclink with an email: mails a magic link and code to an existing user. A new address
 * (with `create_user`, the default) is signed up first: with auto-confirm it then gets the magic link,
 * otherwise a sign-up confirmation mail, as GoTrue does. `create_user: false` for an unknown address is
 * 422 otp_disabled.
 */
export const otp: Endpoint = async (call) => {
  const magicPath = call.req.path.startsWith('/magiclink');
  call.limits.check(magicPath ? 'magiclink' : 'otp', call.address);
  const body = parseBody(call.req.body);
  const rawEmail = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  if (rawEmail && phone) throw validationFailed('Only an email address or phone number should be provided');
  if (rawEmail && stringField(body, 'channel'))
    throw validationFailed('Channel should only be specified with Phone OTP');
  const pkce = pkceParams(body);
  if (phone) throw new AuthError(400, 'phone_provider_disabled', 'Unsupported phone provider');
  if (!rawEmail) {
    if (magicPath) throw new AuthError(422, 'validation_failed', 'Password recovery requires an email');
    throw validationFailed('One of email or phone must be set');
  }
  const email = validateEmail(rawEmail);
  const createUser = magicPath ? true : body.create_user === undefined ? true : body.create_user === true;
  const data = objectField(body, 'data') ?? {};
  const redirectTo = redirectOf(call, body);
  const { autoconfirm, signupEnabled } = call.settings.mailer;
  const mail = await withTx(call.pool, async (tx) => {
    let user = await findUserByEmail(tx, email, call.settings.audience);
    if (!user && !createUser) throw new AuthError(422, 'otp_disabled', 'Signups not allowed for otp');
    if (!user?.emailConfirmed) {
      if (!user) {
        if (!signupEnabled) throw signupDisabled();
        user = await createEmailUser(call, tx, email, data, autoconfirm);
      }
      if (!autoconfirm) return prepareMail(call, tx, user, 'signup', { pkce, redirectTo });
    }
    if (user.banned) throw new AuthError(403, 'user_banned', 'User is banned');
    return prepareMail(call, tx, user, 'magiclink', { pkce, redirectTo });
  });
  call.outbox(mail);
  return { status: 200, body: {} };
};

/** POST /resend: a new sign-up confirmation or email-change mail; `{}` when there is nothing to resend. */
export const resend: Endpoint = async (call) => {
  call.limits.check('resend', call.address);
  const body = parseBody(call.req.body);
  const type = stringField(body, 'type') ?? '';
  const rawEmail = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  if (!['signup', 'email_change', 'sms', 'phone_change'].includes(type))
    throw validationFailed('Missing one of these types: signup, email_change, sms, phone_change');
  const pkce = type === 'signup' || type === 'email_change' ? pkceParams(body) : null;
  if (!rawEmail && type === 'signup') throw validationFailed('Type provided requires an email address');
  if (!phone && type === 'sms') throw validationFailed('Type provided requires a phone number');
  if (rawEmail && phone) throw validationFailed('Only an email address or phone number should be provided.');
  if (phone) throw new AuthError(400, 'phone_provider_disabled', 'Phone logins are disabled');
  if (!rawEmail) throw validationFailed('Missing email address or phone number');
  const email = validateEmail(rawEmail);
  const redirectTo = redirectOf(call, body);
  const mails = await withTx(call.pool, async (tx): Promise<MailRequest[]> => {
    const user = await findUserByEmail(tx, email, call.settings.audience);
    if (!user) return [];
    if (type === 'signup') {
      if (user.emailConfirmed) return [];
      return [await prepareMail(call, tx, user, 'signup', { pkce, redirectTo })];
    }
    if (type !== 'email_change') return [];
    const { rows } = await tx.query<{ email_change: string }>(
      `select coalesce(email_change, '') as email_change from auth.users where id = $1`,
      [user.id],
    );
    if (!rows[0]?.email_change) return [];
    const { secure, otpLength, maxFrequencyMs } = call.settings.emailChange;
    call.emailLimit.take();
    return requestEmailChange(tx, {
      userId: user.id,
      currentEmail: user.email,
      newEmail: rows[0].email_change,
      secure,
      otpLength,
      maxFrequencyMs,
    });
  });
  for (const m of mails) call.outbox({ ...m, redirectTo });
  return { status: 200, body: {} };
};

/** GET /reauthenticate: mails the signed-in user a code to send as `nonce` with a password change. */
export const reauthenticate: Endpoint = async (call) => {
  const { user } = await requireUser(call.keys, call.pool, call.req);
  if (!user.email) throw validationFailed('Reauthentication requires the user to have an email or a phone number');
  if (!user.emailConfirmed) throw new AuthError(422, 'email_not_confirmed', 'Please verify your email first.');
  const mail = await withTx(call.pool, (tx) => prepareMail(call, tx, user, 'reauthentication'));
  call.outbox(mail);
  return { status: 200, body: {} };
};

/** GoTrue's verifyReauthentication: the nonce must be the code of the last reauthentication mail, within otp_expiry. */
export async function checkNonce(call: AuthCall, db: Db, user: UserRecord, nonce: string): Promise<void> {
  const invalid = () => new AuthError(422, 'reauthentication_not_valid', 'Nonce has expired or is invalid');
  const { rows } = await db.query<{ token: string; expired: boolean | null }>(
    `select coalesce(reauthentication_token, '') as token,
       reauthentication_sent_at + make_interval(secs => $2) < now() as expired
     from auth.users where id = $1`,
    [user.id, call.settings.emailChange.otpExpirySeconds],
  );
  const row = rows[0];
  if (!row?.token || row.expired !== false) throw invalid();
  if (row.token !== tokenHash(user.email, nonce)) throw invalid();
  await db.query(`update auth.users set reauthentication_token = '', reauthentication_sent_at = null where id = $1`, [
    user.id,
  ]);
}

/**
 * POST /invite (service role): creates the user (no password, `invited_at`) and mails an invite link; an
 * existing confirmed address is 422 email_exists, an unconfirmed one is invited again.
 */
export const invite: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const body = parseBody(call.req.body);
  const email = validateEmail(stringField(body, 'email'));
  const data = objectField(body, 'data') ?? {};
  const redirectTo = redirectOf(call, body);
  const { user, mail } = await withTx(call.pool, async (tx) => {
    let user = await findUserByEmail(tx, email, call.settings.audience);
    if (user?.emailConfirmed)
      throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
    user ??= await createEmailUser(call, tx, email, data, false);
    const mail = await prepareMail(call, tx, user, 'invite', { redirectTo, checkFrequency: false, invited: true });
    return { user: (await findUserById(tx, user.id))!, mail };
  });
  call.outbox(mail);
  return { status: 200, body: user.json };
};

/**
 * POST /admin/generate_link (service role): makes the link and code of a mail without sending it
 * (signup, invite, magiclink, recovery, email_change_current, email_change_new), answered as GoTrue's
 * GenerateLinkResponse: the user's fields plus action_link, email_otp, hashed_token, verification_type, redirect_to.
 */
export const generateLink: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const body = parseBody(call.req.body);
  let type = stringField(body, 'type') ?? '';
  const email = validateEmail(stringField(body, 'email'));
  const data = objectField(body, 'data') ?? {};
  const password = stringField(body, 'password');
  const redirectTo = allowedRedirect(call.settings.mailer, stringField(body, 'redirect_to'));
  const types = ['signup', 'invite', 'magiclink', 'recovery', 'email_change_current', 'email_change_new'];
  if (!types.includes(type)) throw validationFailed(`Invalid email action link type requested: ${type}`);
  const { otpLength } = call.settings.emailChange;
  const otpCode = newOtp(otpLength);
  const result = await withTx(call.pool, async (tx) => {
    let user = await findUserByEmail(tx, email, call.settings.audience);
    if (!user) {
      if (type === 'magiclink') type = 'signup';
      else if (type !== 'signup' && type !== 'invite')
        throw new AuthError(404, 'user_not_found', 'User with this email not found');
    }
    let hash = tokenHash(email, otpCode);
    if (type === 'recovery' || type === 'magiclink') {
      await tx.query(
        `update auth.users set recovery_token = $2, recovery_sent_at = now(), updated_at = now() where id = $1`,
        [user!.id, hash],
      );
    } else if (type === 'invite' || type === 'signup') {
      if (user?.emailConfirmed)
        throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
      if (!user) {
        if (type === 'signup') {
          if (!password) throw validationFailed('Signup requires a valid password');
          checkPasswordStrength(password, call.settings.minPasswordLength);
        }
        user = await createEmailUser(call, tx, email, data, false);
        if (type === 'signup' && password) {
          await setPassword(tx, user.id, password);
        }
      }
      await tx.query(
        `update auth.users set confirmation_token = $2, confirmation_sent_at = now()${type === 'invite' ? ', invited_at = now()' : ''}, updated_at = now() where id = $1`,
        [user.id, hash],
      );
    } else {
      if (type === 'email_change_current' && !call.settings.emailChange.secure)
        throw validationFailed('Enable secure email change to generate link for current email');
      const newEmail = validateEmail(stringField(body, 'new_email'));
      const other = await findUserByEmail(tx, newEmail, call.settings.audience);
      if (other && other.id !== user!.id)
        throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
      if (type === 'email_change_new') hash = tokenHash(newEmail, otpCode);
      await tx.query(
        `update auth.users set email_change = $2, email_change_sent_at = now(), email_change_confirm_status = 0,
           ${type === 'email_change_current' ? 'email_change_token_current' : 'email_change_token_new'} = $3, updated_at = now()
         where id = $1`,
        [user!.id, newEmail, hash],
      );
    }
    return { user: (await findUserById(tx, user!.id))!, hash };
  });
  const verify = type.startsWith('email_change') ? 'email_change' : type;
  const actionLink = `${call.settings.issuer}/verify?${new URLSearchParams({ token: result.hash, type: verify, redirect_to: redirectTo })}`;
  return {
    status: 200,
    body: {
      ...result.user.json,
      action_link: actionLink,
      email_otp: otpCode,
      hashed_token: result.hash,
      verification_type: type,
      redirect_to: redirectTo,
    },
  };
};
