/** POST /signup: email + password sign-up with auto-confirm, answered with a session (GoTrue with mailer_autoconfirm). */
import type { Endpoint } from './call.ts';
import { mapDbError, withTx } from './db.ts';
import { AuthError, validationFailed } from './errors.ts';
import { issueSession } from './sessions.ts';
import { findUserByEmail, insertUser } from './users.ts';
import { checkPasswordStrength, objectField, parseBody, stringField, validateEmail } from './validate.ts';

const userExists = () => new AuthError(422, 'user_already_exists', 'User already registered');

/** Creates the user and its email identity, confirms it and starts a session; limited per address by `sign_in_sign_ups`. */
export const signup: Endpoint = async ({ req, pool, keys, settings, limits, address }) => {
  const body = parseBody(req.body);
  const email = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  const password = stringField(body, 'password');
  const data = objectField(body, 'data') ?? {};
  // signInAnonymously() posts neither; anonymous sign-ins are off, as in the CLI's default config.
  if (!email && !phone) throw new AuthError(422, 'anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
  // GoTrue limits sign-ups per address once it knows they are not anonymous (`sign_in_sign_ups`).
  limits.check('signups', address);
  if (!password) throw validationFailed('Signup requires a valid password');
  checkPasswordStrength(password, settings.minPasswordLength);
  if (email && phone) throw validationFailed('Only an email address or phone number should be provided on signup.');
  // The local stack has no SMS provider, as the CLI's default config: phone sign-up is off.
  if (phone) throw new AuthError(400, 'phone_provider_disabled', 'Phone signups are disabled');
  const normalized = validateEmail(email);

  return withTx(pool, async (tx) => {
    // An existing address is refused whether or not it was confirmed: with auto-confirm on, signing
    // up again must never hand out a session for someone else's account.
    if (await findUserByEmail(tx, normalized, settings.audience)) throw userExists();
    let userId: string;
    try {
      userId = await insertUser(tx, {
        email: normalized,
        password,
        aud: settings.audience,
        role: 'authenticated',
        userMetadata: data,
        appMetadata: { provider: 'email', providers: ['email'] },
        confirmed: true,
        identityExtra: data,
      });
    } catch (err) {
      throw mapDbError(err, userExists());
    }
    return { status: 200, body: await issueSession({ pool, keys, settings }, userId, 'password', tx) };
  });
};
