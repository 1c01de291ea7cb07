/**
 * POST /signup, as GoTrue: with auto-confirm (`enable_confirmations = false`) the user is confirmed and gets a
 * session; with confirmations on the user is stored unconfirmed, a confirmation mail is sent and the answer is
 * the user without a session. Neither email nor phone: an anonymous sign-in, when
 * `enable_anonymous_sign_ins` allows it.
 */
import { randomUUID } from 'node:crypto';
import type { AuthCall, Endpoint, MailRequest } from './call.ts';
import { mapDbError, withTx } from './db.ts';
import { pkceParams, prepareMail, redirectOf } from './email-flows.ts';
import { AuthError, validationFailed } from './errors.ts';
import { issueSession } from './sessions.ts';
import { findUserByEmail, findUserById, insertUser, NIL_UUID } from './users.ts';
import { checkPasswordStrength, objectField, parseBody, stringField, validateEmail } from './validate.ts';

const userExists = () => new AuthError(422, 'user_already_exists', 'User already registered');
const signupDisabled = () => new AuthError(422, 'signup_disabled', 'Signups not allowed for this instance');

/** Creates the user and its email identity; limited per address by `sign_in_sign_ups` (anonymous: `anonymous_users`). */
export const signup: Endpoint = async (call) => {
  const { req, pool, keys, settings, limits, address } = call;
  const body = parseBody(req.body);
  const email = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  const password = stringField(body, 'password');
  const data = objectField(body, 'data') ?? {};
  if (!email && !phone) return anonymous(call, data);
  // GoTrue limits sign-ups per address once it knows they are not anonymous (`sign_in_sign_ups`).
  limits.check('signups', address);
  if (!settings.mailer.signupEnabled) throw signupDisabled();
  if (!password) throw validationFailed('Signup requires a valid password');
  checkPasswordStrength(password, settings.minPasswordLength);
  if (email && phone) throw validationFailed('Only an email address or phone number should be provided on signup.');
  // The local stack has no SMS provider, as the CLI's default config: phone sign-up is off.
  if (phone) throw new AuthError(400, 'phone_provider_disabled', 'Phone signups are disabled');
  const normalized = validateEmail(email);
  const pkce = pkceParams(body);
  const { autoconfirm } = settings.mailer;
  const redirectTo = redirectOf(call);

  let mail: MailRequest | null = null;
  const reply = await withTx(pool, async (tx) => {
    const existing = await findUserByEmail(tx, normalized, settings.audience);
    if (existing) {
      // With auto-confirm an existing address is refused whether or not it was confirmed: signing up again
      // must never hand out a session for someone else's account. With confirmations on, GoTrue answers a
      // confirmed address with a look-alike user (so sign-up does not reveal accounts) and an unconfirmed one
      // with a new confirmation mail.
      if (autoconfirm) throw userExists();
      if (existing.emailConfirmed) return { status: 200, body: lookAlike(normalized, data, settings.audience) };
      mail = await prepareMail(call, tx, existing, 'signup', { pkce, redirectTo });
      return { status: 200, body: (await findUserById(tx, existing.id))!.json };
    }
    let userId: string;
    try {
      userId = await insertUser(tx, {
        email: normalized,
        password,
        aud: settings.audience,
        role: 'authenticated',
        userMetadata: data,
        appMetadata: { provider: 'email', providers: ['email'] },
        confirmed: autoconfirm,
        identityExtra: data,
      });
    } catch (err) {
      throw mapDbError(err, userExists());
    }
    if (autoconfirm) return { status: 200, body: await issueSession({ pool, keys, settings }, userId, 'password', tx) };
    mail = await prepareMail(call, tx, { id: userId, email: normalized }, 'signup', { pkce, redirectTo });
    return { status: 200, body: (await findUserById(tx, userId))!.json };
  });
  if (mail) call.outbox(mail);
  return reply;
};

// GoTrue's sanitizeUser: what a sign-up of an existing confirmed address answers when confirmations are on.
function lookAlike(email: string, data: Record<string, unknown>, aud: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    aud,
    role: 'authenticated',
    email,
    phone: '',
    confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: data,
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

/** An anonymous sign-in: a user without email or identity, `is_anonymous` true, and a session. */
async function anonymous(call: AuthCall, data: Record<string, unknown>) {
  const { pool, keys, settings } = call;
  if (!settings.mailer.anonymousEnabled)
    throw new AuthError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  call.limits.check('anonymous', call.address);
  if (!settings.mailer.signupEnabled) throw signupDisabled();
  return withTx(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into auth.users (id, instance_id, aud, role, encrypted_password, raw_app_meta_data, raw_user_meta_data,
         created_at, updated_at, is_sso_user, is_anonymous)
       values (extensions.gen_random_uuid(), $1, $2, 'authenticated', '', '{}'::jsonb, $3, now(), now(), false, true)
       returning id`,
      [NIL_UUID, settings.audience, data],
    );
    return { status: 200, body: await issueSession({ pool, keys, settings }, rows[0]!.id, 'anonymous', tx) };
  });
}
