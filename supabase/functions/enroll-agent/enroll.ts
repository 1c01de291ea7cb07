/** The enrollment exchange: a one-time token in, agent credentials out (an Auth user bound to one host). */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../_shared/database.types.ts';
import { jsonError, json, readJsonObject } from '../_shared/http.ts';
import { clientAddress } from './client-address.ts';
import { takeAttempt, tooManyAttempts, type Attempt, type RateLimitSettings } from './rate-limit.ts';

/** What a successful enrollment returns; the agent signs in with email/password and refreshes on its own. */
export interface EnrollmentResult {
  host_id: string;
  team_id: string;
  email: string;
  password: string;
  supabase_url: string;
}

interface Claim {
  status: 'ok' | 'invalid' | 'used' | 'expired';
  token_id?: string;
  host_id?: string;
  team_id?: string;
  used_at?: string;
  expires_at?: string;
}

/** 32 random bytes, base64url: the agent's password, never stored anywhere but the agent's config. */
function randomSecret(bytes = 32): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...buf))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/**
 * Removes the host's previous agent user, and only that: an Auth user whose app_metadata names it the
 * agent of this host. hosts.agent_user_id alone is not proof (a row edited outside the enrollment RPCs
 * could name anyone, and deleting with the service key would remove that person's account).
 */
async function removePreviousAgent(admin: SupabaseClient<Database>, userId: string, hostId: string): Promise<void> {
  const { data, error } = await admin.auth.admin.getUserById(userId);
  if (error || !data.user) return;
  const meta = (data.user.app_metadata ?? {}) as Record<string, unknown>;
  if (meta.vibe_role !== 'agent' || meta.host_id !== hostId) return;
  await admin.auth.admin.deleteUser(userId);
}

/** Handles POST { token }; `admin` is a service-role client; `limits` rate-limits failed attempts per client address. */
export async function enroll(
  req: Request,
  admin: SupabaseClient<Database>,
  supabaseUrl: string,
  limits: RateLimitSettings,
): Promise<Response> {
  if (req.method !== 'POST')
    return jsonError(405, 'method_not_allowed', `Use POST with {"token": "..."}, not ${req.method}`);
  const body = await readJsonObject(req, '{"token": "vibe_enroll_..."}', false);
  if (body instanceof Response) return body;
  const token = body.token;
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) {
    return jsonError(
      400,
      'missing_token',
      'Send the enrollment token an admin created for this host as {"token": "..."}',
    );
  }

  // Issued tokens never hold control characters, and Postgres text cannot hold NUL: refuse before the lookup.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point of this check.
  if (/[\u0000-\u001f\u007f]/.test(token)) {
    return jsonError(
      400,
      'invalid_token',
      'The enrollment token contains control characters; copy it again without line breaks or other invisible characters',
    );
  }
  // Only requests that look a token up count: malformed ones above cannot guess anything.
  let attempt: Attempt;
  try {
    attempt = await takeAttempt(admin, clientAddress(req.headers, limits.proxyHops), limits);
  } catch (err) {
    return jsonError(
      503,
      'rate_limit_unavailable',
      `${err instanceof Error ? err.message : String(err)}; retry in a minute`,
    );
  }
  if (!attempt.allowed) return tooManyAttempts(attempt.retryAfter);
  const claimed = await admin.rpc('claim_enrollment_token', { p_token: token });
  if (claimed.error)
    return jsonError(500, 'claim_failed', `Cannot check the enrollment token: ${claimed.error.message}`);
  const claim = claimed.data as unknown as Claim; // jsonb: Json in the generated types
  if (claim.status === 'used') {
    return jsonError(
      401,
      'token_used',
      `This enrollment token was already used (at ${claim.used_at}); ask an admin for a new token for this host`,
    );
  }
  if (claim.status === 'expired') {
    return jsonError(
      401,
      'token_expired',
      `This enrollment token expired at ${claim.expires_at}; ask an admin for a new token for this host`,
    );
  }
  if (claim.status !== 'ok' || !claim.host_id || !claim.team_id || !claim.token_id) {
    return jsonError(401, 'token_invalid', 'This enrollment token is not known; check that it was copied completely');
  }
  // The token was right: this attempt guessed nothing, so it does not use up the address's limit.
  await attempt.refund();

  const previous = await admin.from('hosts').select('agent_user_id').eq('id', claim.host_id).single();
  const email = `agent-${claim.host_id}-${randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}@agents.openmanager.local`;
  const password = randomSecret();
  const created = await admin.auth.admin.createUser({
    email,
    password,
    email_confirm: true,
    app_metadata: { vibe_role: 'agent', host_id: claim.host_id, team_id: claim.team_id },
    user_metadata: { kind: 'OpenManager Vibe agent' },
  });
  if (created.error || !created.data.user) {
    await admin.rpc('release_enrollment_token', { p_token_id: claim.token_id });
    return jsonError(
      500,
      'user_creation_failed',
      `Cannot create the agent user: ${created.error?.message ?? 'no user returned'}; the token is still valid, retry`,
    );
  }
  const attached = await admin.rpc('attach_agent_user', {
    p_token_id: claim.token_id,
    p_user_id: created.data.user.id,
  });
  if (attached.error) {
    await admin.auth.admin.deleteUser(created.data.user.id);
    await admin.rpc('release_enrollment_token', { p_token_id: claim.token_id });
    return jsonError(
      500,
      'attach_failed',
      `Cannot bind the agent to its host: ${attached.error.message}; the token is still valid, retry`,
    );
  }
  // Re-enrolling replaces the host's agent: the old agent user can no longer write, so remove it.
  const oldUser = previous.data?.agent_user_id as string | null | undefined;
  if (oldUser && oldUser !== created.data.user.id) await removePreviousAgent(admin, oldUser, claim.host_id);

  const result: EnrollmentResult = {
    host_id: claim.host_id,
    team_id: claim.team_id,
    email,
    password,
    supabase_url: supabaseUrl,
  };
  return json(result);
}
