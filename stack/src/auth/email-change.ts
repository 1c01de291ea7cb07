/**
 * Secure email change, as GoTrue does it: PUT /user with a new address only records it (`email_change`)
 * with a code for the new address and, with `double_confirm_changes`, one for the current address too.
 * The address changes once /verify has seen every code asked for. Codes are stored as GoTrue stores them:
 * `sha224(email + code)` in hex, which is also the link's `token_hash`.
 */
import { createHash, randomInt } from 'node:crypto';
import type pg from 'pg';
import type { MailRequest } from './call.ts';
import { mapDbError, type Db } from './db.ts';
import { AuthError } from './errors.ts';
import { issueSession, type SessionDeps } from './sessions.ts';
import type { TokenResponse } from './tokens.ts';
import { setEmail } from './users.ts';

/** GoTrue's reply when one of two confirmations has been seen. */
export const SINGLE_CONFIRMATION_ACCEPTED =
  'Confirmation link accepted. Please proceed to confirm link sent to the other email';

/** GoTrue's GenerateTokenHash: what is stored, and what an email link carries as `token_hash`. */
export function tokenHash(email: string, otp: string): string {
  return createHash('sha224')
    .update(email + otp)
    .digest('hex');
}

function otp(length: number): string {
  return String(randomInt(0, 10 ** length)).padStart(length, '0');
}

/** What the change request needs. */
export interface ChangeRequest {
  userId: string;
  currentEmail: string;
  newEmail: string;
  secure: boolean;
  otpLength: number;
  maxFrequencyMs: number;
}

/**
 * Records the pending change and returns the mail to send once the transaction commits. A second request
 * within `max_frequency` is refused with GoTrue's 429 over_email_send_rate_limit; a new request replaces
 * the codes of an earlier one.
 */
export async function requestEmailChange(tx: Db, r: ChangeRequest): Promise<MailRequest[]> {
  const { rows } = await tx.query<{ wait_ms: number | null }>(
    `select ceil(extract(epoch from (email_change_sent_at + make_interval(secs => $2::float8 / 1000) - now())) * 1000)::float8 as wait_ms
     from auth.users where id = $1 for update`,
    [r.userId, r.maxFrequencyMs],
  );
  const waitMs = rows[0]?.wait_ms ?? null;
  if (waitMs !== null && waitMs > 0) {
    throw new AuthError(
      429,
      'over_email_send_rate_limit',
      `For security purposes, you can only request this after ${Math.floor(waitMs / 1000)} seconds.`,
    );
  }
  const mails: MailRequest[] = [];
  const codeNew = otp(r.otpLength);
  mails.push({ to: r.newEmail, kind: 'email_change_new', otp: codeNew, tokenHash: tokenHash(r.newEmail, codeNew) });
  if (r.secure && r.currentEmail) {
    const codeCurrent = otp(r.otpLength);
    mails.push({
      to: r.currentEmail,
      kind: 'email_change_current',
      otp: codeCurrent,
      tokenHash: tokenHash(r.currentEmail, codeCurrent),
    });
  }
  await tx.query(
    `update auth.users set email_change = $2, email_change_token_new = $3, email_change_token_current = $4,
       email_change_confirm_status = 0, email_change_sent_at = now(), updated_at = now()
     where id = $1`,
    [r.userId, r.newEmail, mails[0]!.tokenHash, mails[1]?.tokenHash ?? ''],
  );
  return mails;
}

/** How /verify found the code: by link (`token_hash` only) or by typed code (`email` + `token`). */
export interface EmailChangeProof {
  tokenHash: string;
  /** Present when the code was typed: the address it was sent to. */
  email?: string;
}

interface PendingRow {
  id: string;
  email: string;
  email_change: string;
  token_new: string;
  token_current: string;
  confirm_status: number;
  expired: boolean;
  banned: boolean;
}

/**
 * Applies one confirmation. With `secure` and nothing confirmed yet, the matched code is spent and the reply
 * is GoTrue's single-confirmation message; otherwise the address changes (identity too, email confirmed)
 * and the user gets a session, as GoTrue's /verify answers.
 */
export async function confirmEmailChange(
  tx: pg.PoolClient,
  deps: SessionDeps,
  proof: EmailChangeProof,
  secure: boolean,
  otpExpirySeconds: number,
): Promise<{ msg: string; code: string } | TokenResponse> {
  const byLink = proof.email === undefined;
  const invalid = () =>
    new AuthError(
      403,
      'otp_expired',
      byLink ? 'Email link is invalid or has expired' : 'Token has expired or is invalid',
    );
  const match = byLink
    ? `(u.email_change_token_current = $1 or u.email_change_token_new = $1)`
    : secure
      ? `((lower(u.email) = lower($4) and u.email_change_token_current = $1) or (lower(u.email_change) = lower($4) and u.email_change_token_new = $1))`
      : `(lower(u.email_change) = lower($4) and u.email_change_token_new = $1)`;
  const { rows } = await tx.query<PendingRow>(
    `select u.id, coalesce(u.email, '') as email, coalesce(u.email_change, '') as email_change,
       coalesce(u.email_change_token_new, '') as token_new, coalesce(u.email_change_token_current, '') as token_current,
       coalesce(u.email_change_confirm_status, 0) as confirm_status,
       coalesce(u.email_change_sent_at + make_interval(secs => $2) < now(), true) as expired,
       coalesce(u.banned_until > now(), false) as banned
     from auth.users u where $1 <> '' and ${match} and u.aud = $3 for update`,
    byLink
      ? [proof.tokenHash, otpExpirySeconds, deps.settings.audience]
      : [proof.tokenHash, otpExpirySeconds, deps.settings.audience, proof.email],
  );
  const user = rows[0];
  if (!user || user.email_change === '') throw invalid();
  if (user.banned) throw new AuthError(403, 'user_banned', 'User is banned');
  if (user.expired) throw invalid();

  // Double confirmation is required whenever config.toml asks for it (GoTrue skips it when mail
  // auto-confirm is on, which the CLI turns on with enable_confirmations = false).
  if (secure && user.confirm_status === 0 && user.email !== '') {
    const column = proof.tokenHash === user.token_current ? 'email_change_token_current' : 'email_change_token_new';
    await tx.query(
      `update auth.users set ${column} = '', email_change_confirm_status = 1, updated_at = now() where id = $1`,
      [user.id],
    );
    return { msg: SINGLE_CONFIRMATION_ACCEPTED, code: '200' };
  }
  try {
    await setEmail(tx, user.id, user.email_change, true);
  } catch (err) {
    throw mapDbError(
      err,
      new AuthError(422, 'email_exists', 'A user with this email address has already been registered'),
    );
  }
  await tx.query(
    `update auth.users set email_change_token_new = '', email_change_token_current = '', email_change_confirm_status = 0, is_anonymous = false,
       raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
     where id = $1`,
    [user.id],
  );
  await tx.query(
    `update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb where user_id = $1 and provider = 'email'`,
    [user.id],
  );
  return issueSession(deps, user.id, 'otp', tx);
}
