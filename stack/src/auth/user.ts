/** The signed-in user's own endpoints: GET /user, PUT /user, POST /logout. */
import type { Endpoint, OutgoingMail } from './call.ts';
import { mapDbError, withTx } from './db.ts';
import { requestEmailChange } from './email-change.ts';
import { AuthError, validationFailed } from './errors.ts';
import { requireUser } from './guard.ts';
import { logout as endSessions, type LogoutScope } from './sessions.ts';
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
export const updateUser: Endpoint = async ({ req, pool, keys, settings, limits, address, outbox }) => {
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
  if (changingEmail && (await findUserByEmail(pool, email, settings.audience))) throw emailExists();
  if (password && caller.user.hasPassword && (await passwordMatches(pool, userId, password))) {
    throw new AuthError(422, 'same_password', 'New password should be different from the old password.');
  }

  let mails: OutgoingMail[] = [];
  const user = await withTx(pool, async (tx) => {
    try {
      if (password !== undefined) {
        await setPassword(tx, userId, password);
        await endSessions(tx, userId, caller.sessionId, caller.sessionId ? 'others' : 'global');
      }
      if (data) await mergeMetadata(tx, userId, 'raw_user_meta_data', data);
      if (appData) await mergeMetadata(tx, userId, 'raw_app_meta_data', appData);
      if (changingEmail) {
        const { secure, otpLength, maxFrequencyMs } = settings.emailChange;
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
  for (const mail of mails) outbox(mail);
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
