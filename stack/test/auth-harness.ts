/**
 * An Auth server of its own behind a real gateway, on the shared test stack's database and keys, reading a
 * config.toml the test writes (so `[auth.rate_limit]` can be lowered without touching the shared stack), and
 * clients that connect from any loopback address (127.0.0.0/8), each its own "client address".
 */
import fs from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { inject } from 'vitest';
import type { OutgoingMail } from '../src/auth/call.ts';
import { createAuthService } from '../src/auth/index.ts';
import { createMailboxService, Mailbox } from '../src/auth/mailbox.ts';
import { loadConfig } from '../src/config.ts';
import type { StackContext } from '../src/context.ts';
import { createGateway, type Route } from '../src/gateway/server.ts';
import { buildKeys, loadSecrets } from '../src/keys.ts';
import { fetchFrom } from './fetch-from.ts';

/** A raw answer: status, headers and the parsed JSON body. */
export interface RawReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | null;
}

/** A running Auth server of the test's own, its outbox, and clients bound to chosen addresses. */
export interface AuthHarness {
  /** Gateway base URL (`${url}/auth/v1/...`). */
  url: string;
  /** Mail the server sent, oldest first (also in the harness's mailbox, `${url}/mailbox`). */
  outbox: OutgoingMail[];
  /** A supabase-js client (publishable key, in-memory session) whose requests come from `from`. */
  client(from: string, options?: { flowType?: 'pkce' | 'implicit' }): SupabaseClient;
  /** A raw POST/PUT/GET to /auth/v1 from `from`, with the publishable key; `legacy` leaves out auth-js's API version header. */
  call(
    from: string,
    pathAndQuery: string,
    init?: { method?: string; body?: unknown; bearer?: string; legacy?: boolean; headers?: Record<string, string> },
  ): Promise<RawReply>;
  stop(): Promise<void>;
}

/** Starts the Auth server with `configToml` as its project's supabase/config.toml; rate limits are on whatever the environment says. */
export async function startAuthHarness(
  configToml: string,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<AuthHarness> {
  const stack = inject('stack');
  const keys = await buildKeys(await loadSecrets(stack.DATA_DIR));
  const project = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-auth-harness-'));
  await fs.mkdir(path.join(project, 'supabase'), { recursive: true });
  await fs.writeFile(path.join(project, 'supabase', 'config.toml'), configToml);
  const config = loadConfig(
    {},
    { projectDir: project, dataDir: stack.DATA_DIR, functionsDir: path.join(project, 'supabase', 'functions') },
  );
  const routes: Route[] = [];
  const server = createGateway({ keys, maxBodyBytes: 1024 * 1024, routes, upgrades: [] });
  // 127.0.0.1 is reachable from every loopback source address on Linux.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pool = new pg.Pool({ connectionString: stack.SUPABASE_DB_URL, max: 4 });
  const ctx: StackContext = { config, keys, pool, dbUrl: stack.SUPABASE_DB_URL, publicUrl: url, schemas: ['public'] };
  const outbox: OutgoingMail[] = [];
  const mailbox = new Mailbox();
  // env {}: the shared stack's VIBE_AUTH_RATE_LIMITS=off must not switch these limits off.
  const auth = createAuthService(ctx, {
    env: options.env ?? {},
    outbox: (m) => {
      outbox.push(m);
      mailbox.deliver(m);
    },
  });
  routes.push(
    { prefix: '/auth/v1/verify', base: '/auth/v1', service: auth, requiresApiKey: false },
    { prefix: '/auth/v1', service: auth, requiresApiKey: true },
    { prefix: '/mailbox', service: createMailboxService(mailbox, keys), requiresApiKey: false },
  );
  return {
    url,
    outbox,
    client(from, opts = {}) {
      return createClient(url, stack.SUPABASE_PUBLISHABLE_KEY, {
        auth: {
          persistSession: opts.flowType === 'pkce',
          storage: opts.flowType === 'pkce' ? memoryStorage() : undefined,
          autoRefreshToken: false,
          detectSessionInUrl: false,
          flowType: opts.flowType ?? 'implicit',
        },
        global: { fetch: fetchFrom(from) },
      });
    },
    async call(from, pathAndQuery, init = {}) {
      const headers: Record<string, string> = {
        apikey: stack.SUPABASE_PUBLISHABLE_KEY,
        ...(init.legacy ? {} : { 'x-supabase-api-version': '2024-01-01' }),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.bearer ? { authorization: `Bearer ${init.bearer}` } : {}),
        ...init.headers,
      };
      const res = await fetchFrom(from)(`${url}/auth/v1${pathAndQuery}`, {
        method: init.method ?? 'POST',
        headers,
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
      };
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
      await fs.rm(project, { recursive: true, force: true });
    },
  };
}

/** A storage auth-js can keep its PKCE code verifier in (a PKCE client needs one to persist between calls). */
export function memoryStorage(): {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
} {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}
