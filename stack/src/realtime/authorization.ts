/** Private channel authorization by RLS on realtime.messages, checked the way hosted Realtime checks it. */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AuthorizationPool } from './authorization-pool.ts';
import type { RealtimeClaims } from './token.ts';

export type Extension = 'broadcast' | 'presence';

/** What a subscriber may do on a private topic; null = not checked yet. */
export interface Policies {
  broadcast: { read: boolean | null; write: boolean | null };
  presence: { read: boolean | null; write: boolean | null };
}

/** Fresh, unchecked policies. */
export function emptyPolicies(): Policies {
  return { broadcast: { read: null, write: null }, presence: { read: null, write: null } };
}

/** Who is asking, about which topic (the sub-topic, without `realtime:`). */
export interface AuthContext {
  topic: string;
  claims: RealtimeClaims;
  headers: Record<string, string>;
}

/** Sets the GUCs policies see: role, realtime.topic and the request.jwt.* settings, transaction-local. */
async function setConfig(client: pg.PoolClient, ctx: AuthContext): Promise<void> {
  await client.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true),
            set_config('request.jwt.claims', $3, true), set_config('request.jwt.claim.sub', $4, true),
            set_config('request.jwt.claim.role', $1, true), set_config('request.headers', $5, true)`,
    [
      ctx.claims.role,
      ctx.topic,
      JSON.stringify(ctx.claims),
      typeof ctx.claims.sub === 'string' ? ctx.claims.sub : '',
      JSON.stringify(ctx.headers),
    ],
  );
}

/**
 * Read check: inserts one probe row per extension as superuser, then selects them back under the
 * subscriber's role; a visible row means read is allowed. Everything is rolled back. Throws
 * AuthorizationBusyError (before touching the database) when the authorization queue is full.
 */
export async function authorizeRead(
  pool: AuthorizationPool | pg.Pool,
  ctx: AuthContext,
  policies: Policies,
  extensions: Extension[],
): Promise<Policies> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const ids = extensions.map(() => randomUUID());
    await client.query(
      `insert into realtime.messages (id, topic, extension) select unnest($1::uuid[]), $2, unnest($3::text[])`,
      [ids, ctx.topic, extensions],
    );
    await setConfig(client, ctx);
    const res = await client.query<{ id: string }>('select id from realtime.messages where id = any($1::uuid[])', [
      ids,
    ]);
    const visible = new Set(res.rows.map((r) => r.id));
    const next = clonePolicies(policies);
    extensions.forEach((ext, i) => {
      next[ext].read = visible.has(ids[i]!);
    });
    return next;
  } catch (err) {
    // a policy that errors (bad role, failing function) denies, as hosted's RlsPolicyError does
    process.stderr.write(`[realtime] RlsPolicyError on topic ${ctx.topic}: ${(err as Error).message}\n`);
    const next = clonePolicies(policies);
    for (const ext of extensions) next[ext].read = false;
    return next;
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

/** Write check: inserts a probe row per extension under the subscriber's role; a 42501 means no write. Rolled back. */
export async function authorizeWrite(
  pool: AuthorizationPool | pg.Pool,
  ctx: AuthContext,
  policies: Policies,
): Promise<Policies> {
  const client = await pool.connect();
  const next = clonePolicies(policies);
  try {
    await client.query('begin');
    await setConfig(client, ctx);
    for (const ext of ['broadcast', 'presence'] as const) {
      await client.query('savepoint probe');
      try {
        await client.query('insert into realtime.messages (topic, extension) values ($1, $2)', [ctx.topic, ext]);
        next[ext].write = true;
      } catch (err) {
        if ((err as { code?: string }).code !== '42501') throw err;
        next[ext].write = false;
      }
      await client.query('rollback to savepoint probe');
    }
    return next;
  } catch (err) {
    process.stderr.write(`[realtime] RlsPolicyError on topic ${ctx.topic}: ${(err as Error).message}\n`);
    next.broadcast.write = next.broadcast.write ?? false;
    next.presence.write = next.presence.write ?? false;
    return next;
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

function clonePolicies(p: Policies): Policies {
  return { broadcast: { ...p.broadcast }, presence: { ...p.presence } };
}
