/**
 * Sessions and rotating refresh tokens, with GoTrue's reuse rules:
 * - each refresh revokes the presented token and issues a child (`parent` = presented token);
 * - presenting the parent of the session's active token again returns that active token (a retry
 *   after a lost response), without limit in time, as GoTrue does;
 * - any other revoked token is honoured only within `refreshTokenReuseInterval` seconds of its
 *   rotation AND while the session still has an active token; otherwise every token of the
 *   session is revoked and the answer is 400 refresh_token_already_used. (GoTrue would still
 *   honour, within the interval, a token revoked by that very family revocation; requiring an
 *   active token closes that gap.)
 * Logout deletes sessions, which deletes their refresh tokens (GoTrue's semantics).
 */
import type pg from 'pg';
import type { Keys } from '../keys.ts';
import { CommitThenThrow, withTx, type Db } from './db.ts';
import { AuthError, OAuthError } from './errors.ts';
import type { AuthSettings } from './settings.ts';
import { newRefreshToken, tokenResponse, type AmrEntry, type TokenResponse } from './tokens.ts';
import { findUserById, NIL_UUID } from './users.ts';

/** Everything a token-issuing endpoint needs. */
export interface SessionDeps {
  pool: pg.Pool;
  keys: Keys;
  settings: AuthSettings;
}

/** The session's assurance level (`aal1`, or `aal2` once a factor was verified in it). */
export async function aalOf(db: Db, sessionId: string): Promise<string> {
  const { rows } = await db.query<{ aal: string | null }>(`select aal from auth.sessions where id = $1`, [sessionId]);
  return rows[0]?.aal ?? 'aal1';
}

/** The `amr` claim: the session's authentication methods, newest first. */
export async function amrOf(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const { rows } = await db.query<{ method: string; ts: string }>(
    `select authentication_method as method, extract(epoch from updated_at)::bigint as ts
     from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
    [sessionId],
  );
  return rows.map((r) => ({ method: r.method, timestamp: Number(r.ts) }));
}

export async function insertRefreshToken(
  db: Db,
  userId: string,
  sessionId: string,
  parent: string | null,
): Promise<string> {
  const token = newRefreshToken();
  await db.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, parent, session_id, created_at, updated_at)
     values ($1, $2, $3, false, $4, $5, now(), now())`,
    [NIL_UUID, token, userId, parent, sessionId],
  );
  return token;
}

/** Starts a session for the user (sign-in, sign-up): session row, `amr` claim, first refresh token, access token. */
export async function issueSession(
  deps: SessionDeps,
  userId: string,
  method: string,
  db?: pg.PoolClient,
): Promise<TokenResponse> {
  const run = async (tx: pg.PoolClient) => {
    const { rows } = await tx.query<{ id: string }>(
      `insert into auth.sessions (user_id, created_at, updated_at, aal) values ($1, now(), now(), 'aal1') returning id`,
      [userId],
    );
    const sessionId = rows[0]!.id;
    await tx.query(
      `insert into auth.mfa_amr_claims (session_id, authentication_method, created_at, updated_at) values ($1, $2, now(), now())`,
      [sessionId, method],
    );
    const refreshToken = await insertRefreshToken(tx, userId, sessionId, null);
    await tx.query(`update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1`, [userId]);
    const user = (await findUserById(tx, userId))!;
    return tokenResponse(deps.keys, deps.settings, user, sessionId, await amrOf(tx, sessionId), refreshToken);
  };
  return db ? run(db) : withTx(deps.pool, run);
}

interface TokenRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  parent: string | null;
  session_id: string | null;
  reusable_until: Date;
}

const notFound = () => new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');

/** The refresh_token grant: rotates the token and issues a new access token for the same session. */
export async function refreshGrant(deps: SessionDeps, presented: string | undefined): Promise<TokenResponse> {
  if (!presented) throw new OAuthError('invalid_request', 'refresh_token required');
  const first = await deps.pool.query<{ session_id: string | null }>(
    `select session_id from auth.refresh_tokens where token = $1`,
    [presented],
  );
  if (!first.rows[0]) throw notFound();
  const sessionId = first.rows[0].session_id;
  if (!sessionId) {
    await deps.pool.query(`delete from auth.refresh_tokens where token = $1`, [presented]);
    throw new AuthError(400, 'session_not_found', 'Invalid Refresh Token: No Valid Session Found');
  }
  return withTx(deps.pool, async (tx) => {
    // Lock the session first: every change to a session's tokens (refresh, reuse detection, logout)
    // serialises on this row, so concurrent refreshes cannot deadlock or fork the family twice.
    const session = await tx.query<{ expired: boolean }>(
      `select coalesce(not_after < now(), false) as expired from auth.sessions where id = $1 for update`,
      [sessionId],
    );
    if (!session.rows[0]) throw notFound();
    const { rows } = await tx.query<TokenRow>(
      `select id, token, user_id, revoked, parent, session_id,
         updated_at + make_interval(secs => $2) as reusable_until
       from auth.refresh_tokens where token = $1 for update`,
      [presented, deps.settings.refreshTokenReuseInterval],
    );
    const token = rows[0];
    if (!token) throw notFound();
    const user = await findUserById(tx, token.user_id);
    if (!user) throw notFound();
    if (user.banned) throw new AuthError(400, 'user_banned', 'Invalid Refresh Token: User Banned');
    if (session.rows[0].expired) throw new AuthError(400, 'session_expired', 'Invalid Refresh Token: Session Expired');

    let issued: string | null = null;
    if (token.revoked) {
      const active = await tx.query<{ token: string; parent: string | null }>(
        `select token, parent from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1`,
        [sessionId],
      );
      const current = active.rows[0];
      if (current && current.parent === token.token) {
        issued = current.token;
      } else if (!current || token.reusable_until.getTime() < Date.now()) {
        await tx.query(
          `update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false`,
          [sessionId],
        );
        throw new CommitThenThrow(
          new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used'),
        );
      }
    }
    if (!issued) {
      // updated_at marks the rotation time only once, so repeated reuse cannot stretch the window.
      if (!token.revoked)
        await tx.query(`update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1`, [token.id]);
      issued = await insertRefreshToken(tx, user.id, sessionId, token.token);
    }
    await tx.query(
      `update auth.sessions set refreshed_at = now() at time zone 'UTC', updated_at = now() where id = $1`,
      [sessionId],
    );
    return tokenResponse(
      deps.keys,
      deps.settings,
      user,
      sessionId,
      await amrOf(tx, sessionId),
      issued,
      await aalOf(tx, sessionId),
    );
  });
}

/** Which sessions a logout ends. */
export type LogoutScope = 'global' | 'local' | 'others';

/** Deletes the user's sessions per scope (their refresh tokens go with them); without a session id every session ends. */
export async function logout(db: Db, userId: string, sessionId: string | null, scope: LogoutScope): Promise<void> {
  if (sessionId && scope === 'local') {
    await db.query(`delete from auth.sessions where id = $1`, [sessionId]);
  } else if (sessionId && scope === 'others') {
    await db.query(`delete from auth.sessions where user_id = $1 and id <> $2`, [userId, sessionId]);
  } else {
    await db.query(`delete from auth.sessions where user_id = $1`, [userId]);
  }
}
