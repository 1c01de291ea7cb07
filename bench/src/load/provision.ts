/** Teams, hosts and agent credentials for whole-system runs: agents are Auth users made through the admin API with agent app_metadata, as enroll-agent makes them. */
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type pg from 'pg';

const auth = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/** What a run needs from a stack. */
export interface StackUrls {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_ROLE_KEY: string;
}

/** One agent: its host and the credentials it signs in with. */
export interface AgentCredential {
  hostId: string;
  userId: string;
  email: string;
  password: string;
}

/** Creates a team (superuser SQL) and returns its id. */
export async function createTeamRow(db: pg.Pool, name: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>('insert into public.teams (name) values ($1) returning id', [name]);
  return rows[0]!.id;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Makes `count` hosts in the team, each with its own agent Auth user bound through app_metadata and hosts.agent_user_id. */
export async function provisionAgents(env: StackUrls, db: pg.Pool, teamId: string, count: number, prefix = 'load'): Promise<AgentCredential[]> {
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth });
  const { rows: hosts } = await db.query<{ id: string }>(
    `insert into public.hosts (team_id, name) select $1, $2 || '-' || g from generate_series(1, $3) g returning id`,
    [teamId, prefix, count],
  );
  return mapLimit(hosts, 16, async ({ id: hostId }) => {
    const email = `${prefix}-${hostId}@agents.test`;
    const password = `pw-${randomUUID()}`;
    const { data, error } = await admin.auth.admin.createUser({ email, password, email_confirm: true, app_metadata: { vibe_role: 'agent', host_id: hostId, team_id: teamId } });
    if (error || !data.user) throw new Error(`Cannot create the agent user for host ${hostId}: ${error?.message}`);
    await db.query('update public.hosts set agent_user_id = $1 where id = $2', [data.user.id, hostId]);
    return { hostId, userId: data.user.id, email, password };
  });
}

/** A signed-in supabase-js client for one agent. */
export async function agentClient(env: StackUrls, cred: AgentCredential): Promise<SupabaseClient> {
  const client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, { auth });
  const { error } = await client.auth.signInWithPassword({ email: cred.email, password: cred.password });
  if (error) throw new Error(`Agent ${cred.email} cannot sign in: ${error.message}`);
  return client;
}
