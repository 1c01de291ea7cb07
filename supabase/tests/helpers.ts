/** Fixtures for schema tests: users, JWTs for each role, a team with hosts, and superuser SQL. */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import { inject } from 'vitest';

export const env = inject('stack');

/** A unique suffix so parallel test files never collide. */
export const uniq = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/** Superuser pool for setup and catalog checks (never for the behaviour under test). */
export function superuser(): pg.Pool {
  const pool = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 4 });
  pool.on('error', () => {});
  return pool;
}

/** A supabase-js client acting with `token` (a user/agent JWT) or the given API key alone. */
export function clientWith(token: string | null, key = env.SUPABASE_ANON_KEY): SupabaseClient {
  return createClient(env.SUPABASE_URL, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
}

/** The service-role client (bypasses RLS). */
export function serviceClient(): SupabaseClient {
  return clientWith(null, env.SUPABASE_SERVICE_ROLE_KEY);
}

/** An HS256 access token as Supabase Auth would issue it, signed with the project's JWT secret. */
export async function mintToken(sub: string, appMetadata: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({
    sub,
    role: 'authenticated',
    aud: 'authenticated',
    app_metadata: appMetadata,
    email: `${sub}@test.local`,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(env.SUPABASE_JWT_SECRET));
}

/** Creates an Auth user through the admin API and returns its id. */
export async function createUser(label: string): Promise<string> {
  const { data, error } = await serviceClient().auth.admin.createUser({
    email: `${label}-${uniq()}@test.local`,
    password: `pw-${uniq()}-${uniq()}`,
    email_confirm: true,
  });
  if (error || !data.user) throw new Error(`Cannot create test user ${label}: ${error?.message}`);
  return data.user.id;
}

export interface TeamFixture {
  teamId: string;
  hostId: string;
  ownerToken: string;
  adminToken: string;
  viewerToken: string;
  agentToken: string;
  agentUserId: string;
  adminId: string;
  viewerId: string;
}

/**
 * A team with an owner, an admin, a viewer and one host whose agent is enrolled (agent JWT minted).
 * Without its default rules unless asked, so each test starts from the rules it creates itself.
 */
export async function createTeam(
  db: pg.Pool,
  name = `team-${uniq()}`,
  opts: { defaultRules?: boolean } = {},
): Promise<TeamFixture> {
  const [owner, admin, viewer, agent] = await Promise.all(['owner', 'admin', 'viewer', 'agent'].map(createUser));
  const team = await db.query<{ id: string }>('insert into public.teams (name) values ($1) returning id', [name]);
  const teamId = team.rows[0]!.id;
  if (!opts.defaultRules) await db.query('delete from public.alert_rules where team_id = $1', [teamId]);
  await db.query(
    `insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'admin'), ($1, $4, 'viewer')`,
    [teamId, owner, admin, viewer],
  );
  const host = await db.query<{ id: string }>(
    `insert into public.hosts (team_id, name, labels, agent_user_id) values ($1, $2, '{"env":"prod"}', $3) returning id`,
    [teamId, `host-${uniq()}`, agent],
  );
  const hostId = host.rows[0]!.id;
  return {
    teamId,
    hostId,
    ownerToken: await mintToken(owner!),
    adminToken: await mintToken(admin!),
    viewerToken: await mintToken(viewer!),
    agentToken: await mintToken(agent!, { vibe_role: 'agent', host_id: hostId, team_id: teamId }),
    agentUserId: agent!,
    adminId: admin!,
    viewerId: viewer!,
  };
}
