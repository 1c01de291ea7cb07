/** The signed-in user's own endpoints: GET /user, PUT /user, POST /logout. */
import type { Endpoint, MailRequest } from './call.ts';
import { mapDbError, withTx } from './db.ts';
import { requestEmailChange } from './email-change.ts';
import { AuthError, validationFailed } from './errors.ts';
import { allowedRedirect } from './mailer.ts';
import { requireUser } from './guard.ts';
import { checkNonce } from './email-flows.ts';
import { aalOf, logout as endSessions, type LogoutScope } from './sessions.ts';
import { findUserByEmail, findUserById, mergeMetadata, passwordMatches, setPassword } from './users.ts';
import { checkPasswordStrength, objectField, parseBody, stringField, validateEmail } from './validate.ts';

const emailExists = () =>
  new AuthError(422, 'email_exists', 'A user with this email address has already been registered');

/** GET /user: the user behind the access token. */
export const getUser: Endpoint = async ({ req, pool, keys, settings }) => {
  const { claims, user } = await requireUser(keys, pool, req);
  const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  if (aud !== settings.audience) throw validationFailed("Token audience doesn't match request audience");
  return { status: 200, body: user.json };
};

/**
 * PUT /user: email, password and `data` (user_metadata) changes. A new email is only recorded as
 * `new_email` until /verify confirms it (email-change.ts); a password change ends the user's other
 * sessions, as GoTrue does. Limited per address like GoTrue's User limiter (`sign_in_sign_ups`).
 */
export const updateUser: Endpoint = async (call) => {
  const { req, pool, keys, settings, limits, address, outbox } = call;
  const caller = await requireUser(keys, pool, req);
  limits.check('user', address);
  const body = parseBody(req.body);
  const rawEmail = stringField(body, 'email');
  const password = stringField(body, 'password');
  const data = objectField(body, 'data');
  const appData = objectField(body, 'app_metadata');
  const email = rawEmail ? validateEmail(rawEmail) : undefined;
  if (password !== undefined) checkPasswordStrength(password, settings.minPasswordLength);
  if (appData && !settings.adminRoles.includes(caller.user.role)) {
    throw new AuthError(403, 'not_admin', 'Updating app_metadata requires admin privileges');
  }
  if (stringField(body, 'phone'))
    throw new AuthError(
      422,
      'phone_provider_disabled',
      'Phone changes need an SMS provider, which the local Auth server does not have',
    );
  const userId = caller.user.id;
  const changingEmail = email !== undefined && email !== caller.user.email;
  const nonce = stringField(body, 'nonce') ?? '';
  // GoTrue: with a verified factor, email and password change only from an aal2 session.
  if (
    caller.user.hasVerifiedFactor &&
    (password || changingEmail) &&
    (!caller.sessionId || (await aalOf(pool, caller.sessionId)) !== 'aal2')
  )
    throw new AuthError(
      401,
      'insufficient_aal',
      'AAL2 session is required to update email or password when MFA is enabled.',
    );
  if (caller.user.isAnonymous && password && !email)
    throw new AuthError(
      422,
      'validation_failed',
      'Updating password of an anonymous user without an email or phone is not allowed',
    );
  if (changingEmail && (await findUserByEmail(pool, email, settings.audience))) throw emailExists();
  if (password && caller.user.hasPassword && (await passwordMatches(pool, userId, password))) {
    throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
  }

  let mails: MailRequest[] = [];
  const user = await withTx(pool, async (tx) => {
    // `secure_password_change`: a session older than 24 h needs the code of GET /reauthenticate as `nonce`.
    if (password && settings.mailer.securePasswordChange) {
      const { rows } = await tx.query<{ old: boolean }>(
        `select coalesce((select created_at < now() - interval '24 hours' from auth.sessions where id = $1), true) as old`,
        [caller.sessionId],
      );
      if (rows[0]!.old) {
        if (!nonce) throw new AuthError(400, 'reauthentication_needed', 'Password update requires reauthentication');
        await checkNonce(call, tx, caller.user, nonce);
      }
    }
    try {
      if (password !== undefined) {
        await setPassword(tx, userId, password);
        await endSessions(tx, userId, caller.sessionId, caller.sessionId ? 'others' : 'global');
      }
      if (data) await mergeMetadata(tx, userId, 'raw_user_meta_data', data);
      if (appData) await mergeMetadata(tx, userId, 'raw_app_meta_data', appData);
      if (changingEmail) {
        const { secure, otpLength, maxFrequencyMs } = settings.emailChange;
        call.emailLimit.take();
        mails = await requestEmailChange(tx, {
          userId,
          currentEmail: caller.user.email,
          newEmail: email,
          secure,
          otpLength,
          maxFrequencyMs,
        });
      }
    } catch (err) {
      throw mapDbError(err, emailExists());
    }
    return (await findUserById(tx, userId))!;
  });
  for (const mail of mails)
    outbox({ ...mail, redirectTo: allowedRedirect(settings.mailer, req.url.searchParams.get('redirect_to')) });
  return { status: 200, body: user.json };
};

const SCOPES: readonly string[] = ['global', 'local', 'others'];

/** POST /logout?scope=global|local|others: ends sessions, 204. */
export const logout: Endpoint = async ({ req, pool, keys }) => {
  const caller = await requireUser(keys, pool, req);
  const scope = req.url.searchParams.get('scope') || 'global';
  if (!SCOPES.includes(scope)) throw validationFailed(`Unsupported logout scope "${scope}"`);
  await endSessions(pool, caller.user.id, caller.sessionId, scope as LogoutScope);
  return { status: 204 };
};
