/** Shared pieces of the Realtime tests: users with signed tokens, supabase-js clients, waiting for channel events. */
import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import * as jose from 'jose';
import pg from 'pg';
import { inject } from 'vitest';

export const env = inject('stack');

let pool: pg.Pool | undefined;

/** Runs SQL as the superuser. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  pool ??= new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 4 });
  return (await pool.query<T>(text, params)).rows;
}

export async function closeSql(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/** A short unique suffix for tables and topics, since test files share one database. */
export function uid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 10);
}

/** Signs an HS256 user token as the Auth server would (role authenticated). */
export async function signToken(
  sub: string,
  opts: { expiresIn?: number; role?: string; extra?: Record<string, unknown> } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ sub, role: opts.role ?? 'authenticated', aud: 'authenticated', ...opts.extra })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(env.SUPABASE_JWT_SECRET));
}

/** Inserts a user into auth.users and returns its id and a token. */
export async function makeUser(): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  await sql(`insert into auth.users (id, email, aud, role) values ($1, $2, 'authenticated', 'authenticated')`, [
    id,
    `rt-${id}@example.test`,
  ]);
  return { id, token: await signToken(id) };
}

const clients: SupabaseClient[] = [];
const tokens = new WeakMap<SupabaseClient, { value: string }>();

/**
 * A supabase-js client with the anon key. With `token`, Realtime uses it as the user's JWT: supabase-js
 * re-reads its access token callback after every join and heartbeat (falling back to the anon key
 * without a session), so a bare `realtime.setAuth(token)` would be replaced; the callback keeps it.
 */
export function client(token?: string, realtime: Record<string, unknown> = {}): SupabaseClient {
  const holder = { value: token ?? '' };
  const c = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: token ? { accessToken: async () => holder.value, ...realtime } : realtime,
  });
  if (token) {
    tokens.set(c, holder);
    void c.realtime.setAuth(token);
  }
  clients.push(c);
  return c;
}

/** Switches a client's user token, as a token refresh does; Realtime sends it to every joined channel. */
export async function setToken(c: SupabaseClient, token: string): Promise<void> {
  const holder = tokens.get(c);
  if (holder) holder.value = token;
  await c.realtime.setAuth(token);
}

/** Disconnects every client this file made. */
export async function closeClients(): Promise<void> {
  for (const c of clients.splice(0)) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
}

/** Subscribes and resolves on SUBSCRIBED; rejects with the server's reason on CHANNEL_ERROR or TIMED_OUT. */
export function subscribe(channel: RealtimeChannel): Promise<RealtimeChannel> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve(channel);
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

/** Collects values pushed by a callback; `next()` waits for the next one (or fails after `ms`). */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiters: ((v: T) => void)[] = [];
  readonly push = (v: T): void => {
    const w = this.waiters.shift();
    if (w) w(v);
    else this.items.push(v);
  };
  next(ms = 5000): Promise<T> {
    const v = this.items.shift();
    if (v !== undefined) return Promise.resolve(v);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`nothing arrived within ${ms} ms`));
      }, ms);
      const done = (x: T) => {
        clearTimeout(timer);
        resolve(x);
      };
      this.waiters.push(done);
    });
  }
  /** Resolves true if nothing arrives within `ms`. */
  async quiet(ms = 700): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return this.items.length === 0;
  }
  get size(): number {
    return this.items.length;
  }
}
