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

/** One message of the local mailbox, as its JSON API answers it. */
export interface MailboxMessage {
  id: string;
  to: string;
  from: string;
  subject: string;
  kind: string;
  text: string;
  html: string;
  actionLink: string | null;
  created_at: string;
}

/**
 * The newest mail to `to` in the mailbox at `base` (the stack's gateway by default), read through the
 * mailbox's JSON API with the secret key; its code and link are parsed from the mail's text, as a user reads them.
 */
export async function readMail(
  to: string,
  base: string = env.SUPABASE_URL,
): Promise<MailboxMessage & { code: string; link: string | null }> {
  const headers = { apikey: env.SUPABASE_SECRET_KEY };
  const list = await fetch(`${base}/mailbox/api/messages?to=${encodeURIComponent(to)}`, { headers });
  if (list.status !== 200) throw new Error(`mailbox list: ${list.status} ${await list.text()}`);
  const { messages } = (await list.json()) as { messages: { id: string }[] };
  if (!messages[0]) throw new Error(`no mail to ${to}`);
  const res = await fetch(`${base}/mailbox/api/messages/${messages[0].id}`, { headers });
  const message = (await res.json()) as MailboxMessage;
  const code = /enter the code: (\d+)|^(\d+)$/m.exec(message.text);
  const link = /^(http\S+\/verify\?\S+)$/m.exec(message.text);
  return { ...message, code: code?.[1] ?? code?.[2] ?? '', link: link?.[1] ?? null };
}

/** How many mails to `to` the mailbox holds. */
export async function mailCount(to: string, base: string = env.SUPABASE_URL): Promise<number> {
  const res = await fetch(`${base}/mailbox/api/messages?to=${encodeURIComponent(to)}`, {
    headers: { apikey: env.SUPABASE_SECRET_KEY },
  });
  return ((await res.json()) as { messages: unknown[] }).messages.length;
}
