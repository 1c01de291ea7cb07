/** Who is calling: GoTrue's requireAuthentication (user endpoints) and requireAdminCredentials (admin endpoints). */
import { bearer, type ServiceRequest } from '../gateway/http.ts';
import { JwtError, type JwtClaims, type Keys } from '../keys.ts';
import type { Db } from './db.ts';
import { AuthError } from './errors.ts';
import type { AuthSettings } from './settings.ts';
import { findUserById, NIL_UUID, type UserRecord } from './users.ts';
import { isUuid } from './validate.ts';

/** A signed-in user: the verified claims, the user row and the live session (null for session-less tokens). */
export interface Caller {
  claims: JwtClaims;
  user: UserRecord;
  sessionId: string | null;
}

const JWT_REASONS: Record<JwtError['reason'], string> = {
  expired: 'token has invalid claims: token is expired',
  malformed: 'token is malformed',
  signature: 'token signature is invalid',
  claims: 'token has invalid claims',
};

async function verifiedClaims(keys: Keys, req: ServiceRequest): Promise<JwtClaims> {
  const token = bearer(req.headers);
  if (!token) throw new AuthError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  try {
    return await keys.verify(token);
  } catch (err) {
    const reason = err instanceof JwtError ? JWT_REASONS[err.reason] : (err as Error).message;
    throw new AuthError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
  }
}

// GoTrue's maybeLoadUserOrSession: the token must name an existing user, and its session must still exist.
async function loadCaller(db: Db, claims: JwtClaims): Promise<Caller> {
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  if (!sub) throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim');
  if (!isUuid(sub)) throw new AuthError(400, 'bad_jwt', 'invalid claim: sub claim must be a UUID');
  const user = await findUserById(db, sub);
  if (!user) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  const sid = typeof claims.session_id === 'string' && claims.session_id !== NIL_UUID ? claims.session_id : '';
  if (!sid) return { claims, user, sessionId: null };
  if (!isUuid(sid)) throw new AuthError(403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID');
  const { rows } = await db.query(
    `select 1 from auth.sessions where id = $1 and user_id = $2 and coalesce(not_after > now(), true)`,
    [sid, sub],
  );
  if (!rows[0]) throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
  return { claims, user, sessionId: sid };
}

/** The signed-in user behind the bearer token; the anon/service_role keys (no `sub`) are refused with 403 bad_jwt. */
export async function requireUser(keys: Keys, db: Db, req: ServiceRequest): Promise<Caller> {
  const caller = await loadCaller(db, await verifiedClaims(keys, req));
  if (caller.user.banned) throw new AuthError(403, 'user_banned', 'User is banned');
  return caller;
}

/** Admin access: a bearer JWT whose role is one of the admin roles (service_role); others get 403 not_admin. */
export async function requireAdmin(
  keys: Keys,
  db: Db,
  settings: AuthSettings,
  req: ServiceRequest,
): Promise<JwtClaims> {
  const claims = await verifiedClaims(keys, req);
  // A token that belongs to a session must still have it, as GoTrue checks for admin calls too.
  if (typeof claims.session_id === 'string' && claims.session_id !== '' && claims.session_id !== NIL_UUID)
    await loadCaller(db, claims);
  if (typeof claims.role !== 'string' || !settings.adminRoles.includes(claims.role)) {
    throw new AuthError(403, 'not_admin', 'User not allowed');
  }
  return claims;
}
