/**
 * Teams, hosts and agent credentials, made as the enroll-agent function makes them: a host row, an Auth user
 * created through the admin API with agent app_metadata, and hosts.agent_user_id bound to it.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';

const auth = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/** What provisioning needs from a stack (a StackEnv, or the env a stack child wrote). */
export interface StackUrls {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
}

/** Anything that runs SQL: a pg.Pool or a connected pg.Client. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** One agent: its host and the credentials it signs in with. */
export interface AgentCredential {
  hostId: string;
  userId: string;
  email: string;
  password: string;
}

/** A host with its agent credentials and its team. */
export interface ProvisionedHost extends AgentCredential {
  teamId: string;
}

/** Runs SQL as the superuser on a connection of its own. */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(
  env: { SUPABASE_DB_URL: string },
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Creates a team (superuser SQL) and returns its id. */
export async function createTeamRow(db: Queryable, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('insert into public.teams (name) values ($1) returning id', [name]);
  return rows[0]!.id;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Makes `count` hosts named `<prefix>-<n>` in the team, each with its own agent Auth user. */
export async function provisionAgents(
  env: StackUrls,
  db: Queryable,
  teamId: string,
  count: number,
  prefix = 'load',
): Promise<AgentCredential[]> {
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth });
  const { rows: hosts } = await db.query<{ id: string }>(
    `insert into public.hosts (team_id, name) select $1, $2 || '-' || g from generate_series(1, $3) g returning id`,
    [teamId, prefix, count],
  );
  return mapLimit(hosts, 16, async ({ id: hostId }) => {
    const email = `${prefix}-${hostId}@agents.vibe.test`;
    const password = `pw-${randomUUID()}`;
    const { data, error } = await admin.auth.admin.createUser({
      email,
      password,
      email_confirm: true,
      app_metadata: { vibe_role: 'agent', host_id: hostId, team_id: teamId },
    });
    if (error || !data.user) throw new Error(`Cannot create the agent user for host ${hostId}: ${error?.message}`);
    await db.query('update public.hosts set agent_user_id = $1 where id = $2', [data.user.id, hostId]);
    return { hostId, userId: data.user.id, email, password };
  });
}

/** One host and its agent in a new team (or in `teamId`); the host is named `<label>-<random>`. */
export async function provisionHost(
  env: StackUrls & { SUPABASE_DB_URL: string },
  label: string,
  teamId?: string,
): Promise<ProvisionedHost> {
  const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await db.connect();
  try {
    const team = teamId ?? (await createTeamRow(db, `agent-test ${label}`));
    const [cred] = await provisionAgents(env, db, team, 1, `${label}-${randomUUID().slice(0, 8)}`);
    return { ...cred!, teamId: team };
  } finally {
    await db.end();
  }
}

/** A signed-in supabase-js client for one agent. */
export async function agentClient(env: StackUrls, cred: AgentCredential): Promise<SupabaseClient> {
  const client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, { auth });
  const { error } = await client.auth.signInWithPassword({ email: cred.email, password: cred.password });
  if (error) throw new Error(`Agent ${cred.email} cannot sign in: ${error.message}`);
  return client;
}

/** Timestamps of a host's samples, as ISO strings, oldest first. */
export async function sampleTimes(env: { SUPABASE_DB_URL: string }, hostId: string): Promise<string[]> {
  const rows = await sql<{ ts: Date }>(env, 'select ts from public.host_samples where host_id = $1 order by ts', [
    hostId,
  ]);
  return rows.map((r) => r.ts.toISOString());
}
