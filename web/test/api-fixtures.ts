/** Test data for the API tests: users signed up through Auth, their teams and hosts, and samples written by the service role. */
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { StackEnv } from '../../stack/src/stack.ts';

const auth = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/** A signed-up user with a client acting as them. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  client: SupabaseClient;
}

/** Signs a new user up through supabase-js (auto-confirmed by the stack). */
export async function newUser(env: StackEnv, label: string): Promise<TestUser> {
  const client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, { auth });
  const email = `${label}-${randomUUID().slice(0, 8)}@example.test`;
  const password = `pw-${randomUUID()}`;
  const { data, error } = await client.auth.signUp({ email, password });
  if (error || !data.session) throw new Error(`Cannot sign up ${email}: ${error?.message ?? 'no session'}`);
  return { id: data.session.user.id, email, password, token: data.session.access_token, client };
}

/** Creates a team as the user (who becomes its owner). */
export async function newTeam(user: TestUser, name: string): Promise<string> {
  // No RETURNING: the creator's membership (which the select policy needs) is added by an after trigger.
  const id = randomUUID();
  const { error } = await user.client.from('teams').insert({ id, name });
  if (error) throw new Error(`Cannot create team ${name}: ${error.message}`);
  return id;
}

/** Makes `member` join `teamId` the only way there is: `inviter` (an owner or admin) invites, `member` accepts. */
export async function addMember(
  inviter: TestUser,
  teamId: string,
  member: TestUser,
  role: 'owner' | 'admin' | 'viewer' = 'viewer',
): Promise<void> {
  const invited = await inviter.client.rpc('create_invitation', {
    p_team_id: teamId,
    p_email: member.email,
    p_role: role,
  });
  if (invited.error) throw new Error(`Cannot invite ${member.email}: ${invited.error.message}`);
  const { error } = await member.client.rpc('accept_invitation', {
    p_token: (invited.data as { token: string }[])[0]!.token,
  });
  if (error) throw new Error(`${member.email} cannot accept the invitation: ${error.message}`);
}

/** Adds a host through the create_host RPC, as the team's admin. */
export async function newHost(user: TestUser, teamId: string, name: string, slug?: string): Promise<string> {
  const { data, error } = await user.client.rpc('create_host', {
    p_team_id: teamId,
    p_name: name,
    p_slug: slug ?? null,
  });
  if (error) throw new Error(`Cannot create host ${name}: ${error.message}`);
  return (data as { host_id: string }[])[0]!.host_id;
}

/** A client with the service role (bypasses RLS) for writing samples as an agent would. */
export function serviceClient(env: StackEnv): SupabaseClient {
  return createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth });
}

/** A host_samples row; only the columns the API reads are typed. */
export interface SampleRow {
  host_id: string;
  ts: string;
  cpu_total?: number | null;
  cpu_count?: number;
  mem_total?: number;
  mem_used?: number;
  disk_total?: number;
  disk_used?: number;
  net_rx_bps?: number;
  net_tx_bps?: number;
  net_connections?: number;
  uptime_s?: number;
}

/** Inserts samples in batches of 1,000 (the ingest trigger then updates host_latest and last_seen_at). */
export async function insertSamples(env: StackEnv, rows: SampleRow[]): Promise<void> {
  const admin = serviceClient(env);
  for (let i = 0; i < rows.length; i += 1000) {
    const { error } = await admin.from('host_samples').insert(rows.slice(i, i + 1000));
    if (error) throw new Error(`Cannot insert samples: ${error.message}`);
  }
}

/** A plausible sample at a time, overridable per field. */
export function sample(hostId: string, at: Date, over: Partial<SampleRow> = {}): SampleRow {
  return {
    host_id: hostId,
    ts: at.toISOString(),
    cpu_total: 20,
    cpu_count: 4,
    mem_total: 8 * 1024 ** 3,
    mem_used: 2 * 1024 ** 3,
    disk_total: 100 * 1024 ** 3,
    disk_used: 25 * 1024 ** 3,
    net_rx_bps: 1000,
    net_tx_bps: 500,
    net_connections: 10,
    uptime_s: 3600,
    ...over,
  };
}
