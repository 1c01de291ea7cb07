/** Shared bits of the Auth tests: clients, unique emails, raw calls and direct SQL. */
import { randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { inject } from 'vitest';

export const env = inject('stack');

/** A unique address per call, so test files can share one stack. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${randomUUID().slice(0, 8)}@example.com`;
}

/** A supabase-js client that keeps its session in memory and never refreshes by itself. */
export function client(key: string = env.SUPABASE_PUBLISHABLE_KEY): SupabaseClient {
  return createClient(env.SUPABASE_URL, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}

/** The secret-key client the admin API is called with. */
export function adminClient(): SupabaseClient {
  return client(env.SUPABASE_SECRET_KEY);
}

/** A raw request to /auth/v1 with the publishable apikey and auth-js's API version header unless overridden. */
export async function authFetch(
  path: string,
  init: { method?: string; bearer?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {
    apikey: env.SUPABASE_PUBLISHABLE_KEY,
    'x-supabase-api-version': '2024-01-01',
    ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
    ...init.headers,
  };
  const res = await fetch(`${env.SUPABASE_URL}/auth/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

let pool: pg.Pool | undefined;

/** Runs SQL as the superuser against the test stack's database. */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  pool ??= new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2 });
  return (await pool.query<T>(text, params)).rows;
}

/** Closes the SQL pool (afterAll). */
export async function closeSql(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/** Signs up a fresh user with the publishable key and returns its client, email, password and session. */
export async function signedUpUser(tag: string, data: Record<string, unknown> = {}) {
  const email = uniqueEmail(tag);
  const password = `pw-${randomUUID()}`;
  const c = client();
  const { data: out, error } = await c.auth.signUp({ email, password, options: { data } });
  if (error || !out.session || !out.user) throw new Error(`sign-up failed: ${error?.message}`);
  return { client: c, email, password, session: out.session, user: out.user };
}

/** A confirmed user made through the admin API (spends no per-address limit), with its password. */
export async function confirmedUser(tag: string): Promise<{ email: string; password: string; id: string }> {
  const email = uniqueEmail(tag);
  const password = `pw-${randomUUID()}`;
  const { data, error } = await adminClient().auth.admin.createUser({ email, password, email_confirm: true });
  if (error || !data.user) throw new Error(`createUser failed: ${error?.message}`);
  return { email, password, id: data.user.id };
}
