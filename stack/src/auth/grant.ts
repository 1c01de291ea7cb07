/** POST /token: the `password`, `refresh_token` and `pkce` grants auth-js uses. */
import type { Endpoint } from './call.ts';
import { AuthError, validationFailed } from './errors.ts';
import { issueSession, refreshGrant } from './sessions.ts';
import { pkceGrant } from './pkce.ts';
import { findUserByEmail, passwordMatches } from './users.ts';
import { MAX_PASSWORD_BYTES, parseBody, passwordWeakness, stringField } from './validate.ts';

const invalidLogin = () => new AuthError(400, 'invalid_credentials', 'Invalid login credentials');

/**
 * Dispatches on `grant_type` (query string, as auth-js sends it, or a JSON body field). As in GoTrue, every
 * grant draws on the address's `token_refresh` bucket before anything else is looked at, and a password
 * grant also passes the per-account throttle (login-throttle.ts).
 */
export const token: Endpoint = async (call) => {
  const fromQuery = call.req.url.searchParams.get('grant_type');
  let body = fromQuery === null ? parseBody(call.req.body) : undefined;
  const grantType = fromQuery ?? stringField(body!, 'grant_type') ?? '';
  if (grantType !== 'refresh_token' && grantType !== 'password' && grantType !== 'pkce') {
    // GoTrue answers unknown grants with invalid_credentials and this message.
    throw new AuthError(400, 'invalid_credentials', 'unsupported_grant_type');
  }
  call.limits.check('token', call.address);
  body ??= parseBody(call.req.body);
  const deps = { pool: call.pool, keys: call.keys, settings: call.settings };
  if (grantType === 'refresh_token') {
    return { status: 200, body: await refreshGrant(deps, stringField(body, 'refresh_token')) };
  }
  if (grantType === 'pkce') {
    return {
      status: 200,
      body: await pkceGrant(deps, stringField(body, 'auth_code'), stringField(body, 'code_verifier')),
    };
  }
  const email = stringField(body, 'email');
  const phone = stringField(body, 'phone');
  const password = stringField(body, 'password') ?? '';
  if (email && phone) throw validationFailed('Only an email address or phone number should be provided on login.');
  if (phone) throw new AuthError(422, 'phone_provider_disabled', 'Phone logins are disabled');
  if (!email) throw validationFailed('missing email or phone');

  const attempt = await call.throttle.begin(email, call.address);
  try {
    const user = await findUserByEmail(call.pool, email, call.settings.audience);
    if (!user?.hasPassword) {
      attempt.failed();
      throw invalidLogin();
    }
    if (user.banned) throw new AuthError(400, 'user_banned', 'User is banned');
    if (
      password.includes('\u0000') ||
      Buffer.byteLength(password) > MAX_PASSWORD_BYTES ||
      !(await passwordMatches(call.pool, user.id, password))
    ) {
      attempt.failed();
      throw invalidLogin();
    }
    attempt.succeeded();
    if (!user.emailConfirmed) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed');
    const session = await issueSession(deps, user.id, 'password');
    // Like GoTrue, a correct but weak password (e.g. set through the admin API) still signs in, flagged.
    const weak = passwordWeakness(password, call.settings.minPasswordLength);
    return { status: 200, body: weak ? { ...session, weak_password: weak } : session };
  } finally {
    attempt.release(); // no-op once failed() or succeeded() was called
  }
};
