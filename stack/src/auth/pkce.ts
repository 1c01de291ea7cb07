/** POST /token?grant_type=pkce: trades the auth code a verified PKCE email link handed out for a session (GoTrue's PKCE grant). */
import { createHash } from 'node:crypto';
import { withTx } from './db.ts';
import { AuthError, validationFailed } from './errors.ts';
import { issueSession, type SessionDeps } from './sessions.ts';
import type { TokenResponse } from './tokens.ts';

interface FlowRow {
  id: string;
  user_id: string | null;
  code_challenge_method: string;
  code_challenge: string;
  authentication_method: string;
  expired: boolean;
}

/** Checks the verifier against the stored challenge (s256: base64url(sha256(verifier)); plain: equal), spends the flow and starts a session. */
export async function pkceGrant(
  deps: SessionDeps,
  authCode: string | undefined,
  verifier: string | undefined,
): Promise<TokenResponse> {
  if (!authCode || !verifier)
    throw validationFailed('invalid request: both auth code and code verifier should be non-empty');
  return withTx(deps.pool, async (tx) => {
    const { rows } = await tx.query<FlowRow>(
      `select id, user_id, code_challenge_method, code_challenge, authentication_method,
         coalesce(auth_code_issued_at, created_at) + make_interval(secs => $2) < now() as expired
       from auth.flow_state where auth_code = $1 for update`,
      [authCode, deps.settings.flowStateExpirySeconds],
    );
    const flow = rows[0];
    if (!flow?.user_id)
      throw new AuthError(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found');
    if (flow.expired) throw new AuthError(422, 'flow_state_expired', 'invalid flow state, flow state has expired');
    const expected =
      flow.code_challenge_method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (expected !== flow.code_challenge)
      throw new AuthError(400, 'bad_code_verifier', 'code challenge does not match previously saved code verifier');
    const { rows: banned } = await tx.query<{ banned: boolean }>(
      `select coalesce(banned_until > now(), false) as banned from auth.users where id = $1`,
      [flow.user_id],
    );
    if (!banned[0]) throw new AuthError(404, 'flow_state_not_found', 'invalid flow state, no valid flow state found');
    if (banned[0].banned) throw new AuthError(400, 'user_banned', 'User is banned');
    await tx.query(`delete from auth.flow_state where id = $1`, [flow.id]);
    return issueSession(deps, flow.user_id, flow.authentication_method, tx);
  });
}
