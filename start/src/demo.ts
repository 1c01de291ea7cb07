/** First-start set-up for `npm start`: a demo login, its team, and this machine enrolled as a host through the real flow. */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { StackEnv } from '../../stack/src/index.ts';
import { runToEnd } from './children.ts';

export interface DemoLogin {
  email: string;
  password: string;
}

const DEMO_EMAIL = 'demo@openmanager.local';
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } } as const;

/** Reads `.vibe/demo.json`, or makes the demo user and writes the file (mode 0600). */
export async function ensureDemoLogin(dataDir: string, env: StackEnv): Promise<DemoLogin> {
  const file = path.join(dataDir, 'demo.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoLogin;
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, clientOptions);
  const login: DemoLogin = { email: DEMO_EMAIL, password: randomBytes(12).toString('base64url') };
  const created = await admin.auth.admin.createUser({
    email: login.email,
    password: login.password,
    email_confirm: true,
  });
  if (created.error) {
    // The user exists from an earlier start whose demo.json was removed: give it a new password.
    const { data, error } = await admin.auth.admin.listUsers({ page: 1, perPage: 1000 });
    const user = data?.users.find((u) => u.email === login.email);
    if (error || !user) throw new Error(`Cannot create the demo user: ${created.error.message}`);
    const updated = await admin.auth.admin.updateUserById(user.id, { password: login.password });
    if (updated.error) throw new Error(`Cannot reset the demo user's password: ${updated.error.message}`);
  }
  writeFileSync(file, JSON.stringify(login, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return login;
}

async function signIn(env: StackEnv, login: DemoLogin): Promise<SupabaseClient> {
  const client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, clientOptions);
  const { error } = await client.auth.signInWithPassword(login);
  if (error) throw new Error(`Cannot sign in as the demo user ${login.email}: ${error.message}`);
  return client;
}

/** The demo user's first team, created (with the user as owner) when there is none. */
async function ensureTeam(client: SupabaseClient): Promise<string> {
  const { data: teams, error } = await client.from('teams').select('id').order('created_at').limit(1);
  if (error) throw new Error(`Cannot read the demo user's teams: ${error.message}`);
  if (teams?.[0]) return teams[0].id as string;
  // No `.select()` on the insert: the creator becomes a member in an after-insert trigger, which
  // RETURNING's read check cannot see yet; read the team back afterwards instead.
  const { error: insertError } = await client.from('teams').insert({ name: 'Demo team' });
  if (insertError) throw new Error(`Cannot create the demo team: ${insertError.message}`);
  const { data, error: readError } = await client.from('teams').select('id').order('created_at').limit(1).single();
  if (readError) throw new Error(`Cannot read the new demo team: ${readError.message}`);
  return data.id as string;
}

/** A one-time enrollment token for this machine's host, creating the host on first use. */
async function enrollmentToken(client: SupabaseClient, teamId: string, name: string): Promise<string> {
  const { data: hosts, error } = await client
    .from('hosts')
    .select('id')
    .eq('team_id', teamId)
    .eq('name', name)
    .limit(1);
  if (error) throw new Error(`Cannot read hosts: ${error.message}`);
  if (hosts?.[0]) {
    const { data, error: tokenError } = await client.rpc('create_enrollment_token', { p_host_id: hosts[0].id });
    if (tokenError) throw new Error(`Cannot create an enrollment token: ${tokenError.message}`);
    return (data as { token: string }[])[0]!.token;
  }
  const { data, error: hostError } = await client.rpc('create_host', { p_team_id: teamId, p_name: name });
  if (hostError) throw new Error(`Cannot add this machine as a host: ${hostError.message}`);
  return (data as { token: string }[])[0]!.token;
}

/** Enrolls this machine's agent once (config kept in `<dataDir>/agent/config.json`); returns the config path. */
export async function ensureLocalAgent(
  projectDir: string,
  dataDir: string,
  env: StackEnv,
  login: DemoLogin,
): Promise<string> {
  const agentDir = path.join(dataDir, 'agent');
  const configFile = path.join(agentDir, 'config.json');
  if (existsSync(configFile)) return configFile;
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });
  const client = await signIn(env, login);
  const teamId = await ensureTeam(client);
  const name = os.hostname() || 'this-machine';
  const token = await enrollmentToken(client, teamId, name);
  await runToEnd(
    process.execPath,
    [
      path.join(projectDir, 'agent', 'src', 'cli.ts'),
      'enroll',
      '--url',
      env.SUPABASE_URL,
      '--key',
      env.SUPABASE_ANON_KEY,
      '--token',
      token,
      '--name',
      name,
      '--config',
      configFile,
    ],
    {
      cwd: projectDir,
      env: process.env,
    },
  );
  return configFile;
}
