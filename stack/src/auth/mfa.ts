/**
 * TOTP multi-factor authentication, GoTrue's /factors API (auth-js `mfa.*`):
 * - `POST /factors {factor_type: 'totp', friendly_name, issuer}`: an unverified factor with its secret, URI and QR code;
 * - `POST /factors/:id/challenge`: a challenge (300 s) for the factor;
 * - `POST /factors/:id/verify {challenge_id, code}`: a right code verifies the factor and raises the session to
 *   aal2 (`amr` gains `totp`), answered with a new token pair; the user's other aal1 sessions end, as in GoTrue;
 * - `DELETE /factors/:id`: removes a factor (a verified one only from an aal2 session); its sessions drop to aal1.
 * Factors show in the user JSON (`factors`); `/admin/users/:id/factors` lists and deletes them.
 * Secrets are stored in plain text in auth.mfa_factors.secret, as GoTrue without DB encryption.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AuthCall, Endpoint } from './call.ts';
import { CommitThenThrow as CommitError, withTx } from './db.ts';
import { AuthError, validationFailed } from './errors.ts';
import { requireAdmin, requireUser, type Caller } from './guard.ts';
import { aalOf, amrOf, insertRefreshToken } from './sessions.ts';
import { tokenResponse } from './tokens.ts';
import { newTotpSecret, qrSvg, totpUri, totpValid } from './totp.ts';
import { findUserById } from './users.ts';
import { isUuid, parseBody, stringField } from './validate.ts';

function isUuidOrThrow(value: string, error: () => AuthError): void {
  if (!isUuid(value)) throw error();
}

interface FactorRow {
  id: string;
  user_id: string;
  friendly_name: string | null;
  factor_type: string;
  status: string;
  secret: string;
}

const notFound = () => new AuthError(404, 'mfa_factor_not_found', 'Factor not found');

async function sessionAal(pool: pg.Pool, caller: Caller): Promise<string> {
  return caller.sessionId ? aalOf(pool, caller.sessionId) : 'aal1';
}

function factorType(body: Record<string, unknown>): string {
  const type = stringField(body, 'factor_type') ?? '';
  if (type === 'phone') throw new AuthError(422, 'mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
  if (type === 'webauthn')
    throw new AuthError(422, 'mfa_webauthn_enroll_not_enabled', 'MFA enroll is disabled for WebAuthn');
  if (type !== 'totp') throw validationFailed('factor_type needs to be totp, phone, or webauthn');
  return type;
}

/** POST /factors. */
export const enroll: Endpoint = async (call) => {
  const caller = await requireUser(call.keys, call.pool, call.req);
  const body = parseBody(call.req.body);
  factorType(body);
  if (!call.settings.mfa.totpEnroll)
    throw new AuthError(422, 'mfa_totp_enroll_not_enabled', 'MFA enroll is disabled for TOTP');
  const friendlyName = stringField(body, 'friendly_name') ?? '';
  let issuer = stringField(body, 'issuer') ?? '';
  if (!issuer) issuer = new URL(call.settings.mailer.siteUrl).host;
  const aal = await sessionAal(call.pool, caller);
  const secret = newTotpSecret();
  const uri = totpUri(secret, issuer, caller.user.email);
  const id = randomUUID();
  await withTx(call.pool, async (tx) => {
    await tx.query(`select 1 from auth.users where id = $1 for update`, [caller.user.id]);
    // GoTrue's DeleteExpiredFactors: unverified factors older than the factor expiry (300 s) go first.
    await tx.query(
      `delete from auth.mfa_factors where user_id = $1 and status = 'unverified' and created_at < now() - interval '300 seconds'`,
      [caller.user.id],
    );
    const { rows } = await tx.query<{ friendly_name: string | null; status: string }>(
      `select friendly_name, status from auth.mfa_factors where user_id = $1`,
      [caller.user.id],
    );
    if (rows.some((f) => (f.friendly_name ?? '') === friendlyName))
      throw new AuthError(
        422,
        'mfa_factor_name_conflict',
        `A factor with the friendly name "${friendlyName}" for this user already exists`,
      );
    const verified = rows.filter((f) => f.status === 'verified').length;
    if (rows.length >= call.settings.mfa.maxEnrolledFactors || verified >= call.settings.mfa.maxEnrolledFactors)
      throw new AuthError(
        422,
        'too_many_enrolled_mfa_factors',
        'Maximum number of verified factors reached, unenroll to continue',
      );
    if (verified > 0 && caller.sessionId && aal !== 'aal2')
      throw new AuthError(403, 'insufficient_aal', 'AAL2 required to enroll a new factor');
    await tx.query(
      `insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
       values ($1, $2, $3, 'totp', 'unverified', now(), now(), $4)`,
      [id, caller.user.id, friendlyName, secret],
    );
  });
  return {
    status: 200,
    body: {
      id,
      type: 'totp',
      friendly_name: friendlyName,
      totp: { qr_code: qrSvg(uri), secret, uri },
    },
  };
};

async function ownFactor(
  call: AuthCall,
  caller: Caller,
  db: pg.PoolClient | pg.Pool,
  lock = false,
): Promise<FactorRow> {
  const id = call.params.id!;
  isUuidOrThrow(id, notFound);
  const { rows } = await db.query<FactorRow>(
    `select id, user_id, friendly_name, factor_type, status, coalesce(secret, '') as secret
     from auth.mfa_factors where id = $1 and user_id = $2${lock ? ' for update' : ''}`,
    [id, caller.user.id],
  );
  if (!rows[0]) throw notFound();
  return rows[0];
}

/** POST /factors/:id/challenge. */
export const challenge: Endpoint = async (call) => {
  call.limits.check('mfa_challenge', call.address);
  const caller = await requireUser(call.keys, call.pool, call.req);
  const factor = await ownFactor(call, caller, call.pool);
  if (!call.settings.mfa.totpVerify)
    throw new AuthError(422, 'mfa_totp_verify_not_enabled', 'MFA verification is disabled for TOTP');
  const id = randomUUID();
  const { rows } = await call.pool.query<{ expires_at: string }>(
    `with c as (
       insert into auth.mfa_challenges (id, factor_id, created_at, ip_address) values ($1, $2, now(), $3::inet)
       returning created_at
     ), f as (update auth.mfa_factors set last_challenged_at = now(), updated_at = now() where id = $2)
     select extract(epoch from created_at + make_interval(secs => $4))::bigint as expires_at from c`,
    [id, factor.id, inetOf(call.address), call.settings.mfa.challengeExpirySeconds],
  );
  return { status: 200, body: { id, type: factor.factor_type, expires_at: Number(rows[0]!.expires_at) } };
};

function inetOf(address: string): string {
  return /^[0-9a-f:.]+$/i.test(address) ? address : '0.0.0.0';
}

/** POST /factors/:id/verify. */
export const verifyFactor: Endpoint = async (call) => {
  call.limits.check('mfa_verify', call.address);
  const caller = await requireUser(call.keys, call.pool, call.req);
  const body = parseBody(call.req.body);
  const challengeId = stringField(body, 'challenge_id') ?? '';
  const code = stringField(body, 'code') ?? '';
  const factor = await ownFactor(call, caller, call.pool);
  if (!call.settings.mfa.totpVerify)
    throw new AuthError(422, 'mfa_totp_verify_not_enabled', 'MFA verification is disabled for TOTP');
  if (!code) throw validationFailed('Code needs to be non-empty');
  const challengeNotFound = () =>
    new AuthError(422, 'mfa_factor_not_found', 'MFA factor with the provided challenge ID not found');
  isUuidOrThrow(challengeId, challengeNotFound);
  const deps = { pool: call.pool, keys: call.keys, settings: call.settings };
  return withTx(call.pool, async (tx) => {
    const { rows } = await tx.query<{ ip: string; expired: boolean; verified: boolean }>(
      `select host(ip_address) as ip, created_at + make_interval(secs => $3) < now() as expired, verified_at is not null as verified
       from auth.mfa_challenges where id = $1 and factor_id = $2 for update`,
      [challengeId, factor.id, call.settings.mfa.challengeExpirySeconds],
    );
    const ch = rows[0];
    // A verified challenge is spent: the local server refuses it as unknown (GoTrue keeps it, with verified_at set).
    if (!ch || ch.verified) throw challengeNotFound();
    if (ch.ip !== inetOf(call.address))
      throw new AuthError(422, 'mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
    if (ch.expired) {
      await tx.query(`delete from auth.mfa_challenges where id = $1`, [challengeId]);
      throw new CommitError(
        new AuthError(
          422,
          'mfa_challenge_expired',
          `MFA challenge ${challengeId} has expired, verify against another challenge or create a new challenge.`,
        ),
      );
    }
    if (!totpValid(code, factor.secret))
      throw new AuthError(422, 'mfa_verification_failed', 'Invalid TOTP code entered');
    await tx.query(`update auth.mfa_challenges set verified_at = now() where id = $1`, [challengeId]);
    await tx.query(
      `update auth.mfa_factors set status = 'verified', updated_at = now() where id = $1 and status <> 'verified'`,
      [factor.id],
    );
    const sessionId = caller.sessionId;
    if (!sessionId) throw new AuthError(500, 'unexpected_failure', 'A valid session is required to verify a factor');
    await tx.query(`update auth.sessions set aal = 'aal2', factor_id = $2, updated_at = now() where id = $1`, [
      sessionId,
      factor.id,
    ]);
    await tx.query(
      `insert into auth.mfa_amr_claims (session_id, authentication_method, created_at, updated_at)
       values ($1, 'totp', now(), now())
       on conflict (session_id, authentication_method) do update set updated_at = now()`,
      [sessionId],
    );
    // GoTrue's InvalidateSessionsWithAALLessThan and DeleteUnverifiedFactors.
    await tx.query(`delete from auth.sessions where user_id = $1 and id <> $2 and coalesce(aal, 'aal1') <> 'aal2'`, [
      caller.user.id,
      sessionId,
    ]);
    await tx.query(`delete from auth.mfa_factors where user_id = $1 and status = 'unverified' and factor_type = $2`, [
      caller.user.id,
      factor.factor_type,
    ]);
    // A new token pair for the raised session: the active refresh token is rotated to a child.
    const { rows: active } = await tx.query<{ token: string }>(
      `update auth.refresh_tokens set revoked = true, updated_at = now()
       where session_id = $1 and revoked = false returning token`,
      [sessionId],
    );
    const refresh = await insertRefreshToken(tx, caller.user.id, sessionId, active[0]?.token ?? null);
    const user = (await findUserById(tx, caller.user.id))!;
    return {
      status: 200,
      body: await tokenResponse(deps.keys, deps.settings, user, sessionId, await amrOf(tx, sessionId), refresh, 'aal2'),
    };
  });
};

async function removeFactor(tx: pg.PoolClient, factorId: string): Promise<void> {
  // GoTrue's DowngradeSessionsToAAL1: sessions raised with this factor drop to aal1.
  await tx.query(
    `delete from auth.mfa_amr_claims where authentication_method = 'totp' and session_id in (select id from auth.sessions where factor_id = $1)`,
    [factorId],
  );
  await tx.query(`update auth.sessions set aal = 'aal1', factor_id = null, updated_at = now() where factor_id = $1`, [
    factorId,
  ]);
  await tx.query(`delete from auth.mfa_factors where id = $1`, [factorId]);
}

/** DELETE /factors/:id. */
export const unenroll: Endpoint = async (call) => {
  const caller = await requireUser(call.keys, call.pool, call.req);
  const aal = await sessionAal(call.pool, caller);
  await withTx(call.pool, async (tx) => {
    const factor = await ownFactor(call, caller, tx, true);
    if (factor.status === 'verified' && aal !== 'aal2')
      throw new AuthError(422, 'insufficient_aal', 'AAL2 required to unenroll verified factor');
    await removeFactor(tx, factor.id);
  });
  return { status: 200, body: { id: call.params.id } };
};

/** GET /admin/users/:id/factors. */
export const adminListFactors: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const id = call.params.id!;
  isUuidOrThrow(id, () => new AuthError(404, 'validation_failed', 'user_id must be an UUID'));
  const user = await findUserById(call.pool, id);
  if (!user) throw new AuthError(404, 'user_not_found', 'User not found');
  return { status: 200, body: user.json.factors ?? [] };
};

/** DELETE /admin/users/:id/factors/:factor: removes any factor of the user. */
export const adminDeleteFactor: Endpoint = async (call) => {
  await requireAdmin(call.keys, call.pool, call.settings, call.req);
  const userId = call.params.id!;
  const factorId = call.params.factor!;
  isUuidOrThrow(userId, () => new AuthError(404, 'validation_failed', 'user_id must be an UUID'));
  isUuidOrThrow(factorId, notFound);
  const body = await withTx(call.pool, async (tx) => {
    const { rows } = await tx.query<Record<string, unknown>>(
      `select id, friendly_name, factor_type, status from auth.mfa_factors where id = $1 and user_id = $2 for update`,
      [factorId, userId],
    );
    if (!rows[0]) throw notFound();
    await removeFactor(tx, factorId);
    return rows[0];
  });
  return { status: 200, body };
};
