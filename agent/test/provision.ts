/** Test helpers: a team, a host and its agent user, made as the enroll-agent function makes them. */
import { createClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { StackEnv } from '../../stack/src/stack.ts';

/** A host with its agent credentials. */
export interface ProvisionedHost {
  teamId: string;
  hostId: string;
  email: string;
  password: string;
}

/** Runs SQL as the superuser. */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(env: StackEnv, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Creates a team (or uses `teamId`), a host, and an agent user bound to it. */
export async function provisionHost(env: StackEnv, label: string, teamId?: string): Promise<ProvisionedHost> {
  const team = teamId ?? (await sql<{ id: string }>(env, 'insert into public.teams (name) values ($1) returning id', [`agent-test ${label}`]))[0]!.id;
  const [host] = await sql<{ id: string }>(env, 'insert into public.hosts (team_id, name) values ($1, $2) returning id', [team, `${label}-${randomUUID().slice(0, 8)}`]);
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth: { persistSession: false, autoRefreshToken: false } });
  const email = `agent-${host!.id}@agents.vibe.test`;
  const password = randomUUID();
  const { data, error } = await admin.auth.admin.createUser({
    email,
    password,
    email_confirm: true,
    app_metadata: { vibe_role: 'agent', host_id: host!.id, team_id: team },
  });
  if (error) throw new Error(`Cannot create the agent user: ${error.message}`);
  await sql(env, 'update public.hosts set agent_user_id = $1 where id = $2', [data.user.id, host!.id]);
  return { teamId: team, hostId: host!.id, email, password };
}

/** Timestamps of a host's samples, as ISO strings, oldest first. */
export async function sampleTimes(env: StackEnv, hostId: string): Promise<string[]> {
  const rows = await sql<{ ts: Date }>(env, 'select ts from public.host_samples where host_id = $1 order by ts', [hostId]);
  return rows.map((r) => r.ts.toISOString());
}

/** Waits until `fn` returns true, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 20_000, everyMs = 200): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
