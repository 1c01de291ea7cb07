/**
 * POST /verify (auth-js `verifyOtp`), GoTrue's checks and answers. Only `email_change` codes exist
 * locally (sign-up is auto-confirmed, and there is no recovery or magic-link mail), so every other
 * email type finds no code and answers 403 otp_expired, as GoTrue does for an unknown code.
 */
import type { Endpoint } from './call.ts';
import { withTx } from './db.ts';
import { confirmEmailChange, tokenHash } from './email-change.ts';
import { AuthError, validationFailed } from './errors.ts';
import { parseBody, stringField, validateEmail } from './validate.ts';

const EMAIL_TYPES = ['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email'];
const PHONE_TYPES = ['sms', 'phone_change'];

/** Verifies a code (`email` + `token`) or a link (`token_hash`); limited per address by `token_verifications`. */
export const verify: Endpoint = async (call) => {
  call.limits.check('verify', call.address);
  const body = parseBody(call.req.body);
  const type = stringField(body, 'type') ?? '';
  const token = stringField(body, 'token') ?? '';
  const hash = stringField(body, 'token_hash') ?? '';
  const email = stringField(body, 'email') ?? '';
  const phone = stringField(body, 'phone') ?? '';
  const redirectTo = stringField(body, 'redirect_to') ?? '';
  if (!type) throw validationFailed('Verify requires a verification type');
  if ((!token && !hash) || (token && hash)) throw validationFailed('Verify requires either a token or a token hash');
  let proof: { tokenHash: string; email?: string };
  if (token) {
    if (email && !phone) {
      let address: string;
      try {
        address = validateEmail(email);
      } catch {
        throw new AuthError(422, 'validation_failed', 'Invalid email format');
      }
      proof = { tokenHash: tokenHash(address, token), email: address };
    } else if (phone && !email) {
      // No SMS provider locally, so no phone code was ever sent.
      throw new AuthError(403, 'otp_expired', 'Token has expired or is invalid');
    } else {
      throw validationFailed('Only an email address or phone number should be provided on verify');
    }
  } else {
    if (email || phone || redirectTo) throw validationFailed('Only the token_hash and type should be provided');
    proof = { tokenHash: hash };
  }
  if (!EMAIL_TYPES.includes(type) && !PHONE_TYPES.includes(type)) {
    throw validationFailed(token ? 'Unsupported verification type' : 'Invalid email verification type');
  }
  if (type !== 'email_change') {
    throw new AuthError(
      403,
      'otp_expired',
      token ? 'Token has expired or is invalid' : 'Email link is invalid or has expired',
    );
  }
  const { secure, otpExpirySeconds } = call.settings.emailChange;
  const deps = { pool: call.pool, keys: call.keys, settings: call.settings };
  const reply = await withTx(call.pool, (tx) => confirmEmailChange(tx, deps, proof, secure, otpExpirySeconds));
  return { status: 200, body: reply };
};
