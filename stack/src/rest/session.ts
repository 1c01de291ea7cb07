/** Who the request runs as: the verified JWT's role and claims, set per transaction exactly as PostgREST sets them. */
import type { IncomingHttpHeaders } from 'node:http';
import type pg from 'pg';
import { bearer } from '../gateway/http.ts';
import { JwtError, type Keys } from '../keys.ts';
import type { SchemaCache } from './catalog.ts';
import { CacheMissError, RestError } from './errors.ts';

/** The request's database identity. */
export interface Identity {
  role: string;
  claims: Record<string, unknown>;
  anonymous: boolean;
}

const ANON_ROLE = 'anon';

/** Verifies `Authorization: Bearer …`; no header means the anon role. JWT problems are 401 PGRST301/PGRST303. */
export async function identify(keys: Keys, headers: IncomingHttpHeaders): Promise<Identity> {
  const auth = headers.authorization;
  if (!auth) return { role: ANON_ROLE, claims: { role: ANON_ROLE }, anonymous: true };
  const token = bearer(headers);
  if (!token) throw jwtError('PGRST301', 'Invalid authorization header: expected "Bearer <JWT>"');
  let claims: Record<string, unknown>;
  try {
    claims = await keys.verify(token);
  } catch (err) {
    if (err instanceof JwtError)
      throw jwtError(err.reason === 'expired' || err.reason === 'claims' ? 'PGRST303' : 'PGRST301', err.message);
    throw err;
  }
  const role = typeof claims.role === 'string' && claims.role ? claims.role : ANON_ROLE;
  return { role, claims: { ...claims, role }, anonymous: role === ANON_ROLE };
}

function jwtError(code: string, message: string): RestError {
  return new RestError(401, code, message, null, null, {
    'www-authenticate': `Bearer error="invalid_token", error_description="${message.replaceAll('"', "'")}"`,
  });
}

/** Refuses roles the API's connection role could not switch to, with the error Postgres would give PostgREST. */
export function checkRole(cache: SchemaCache, identity: Identity): void {
  if (cache.roles.has(identity.role)) return;
  if (cache.knownRoles.has(identity.role)) {
    throw new CacheMissError(
      identity.anonymous ? 401 : 403,
      '42501',
      `permission denied to set role "${identity.role}"`,
      null,
      null,
    );
  }
  throw new CacheMissError(401, '22023', `role "${identity.role}" does not exist`, null, null, {
    'www-authenticate': 'Bearer',
  });
}

/** What the per-request `set_config` statement sets. */
export interface RequestSettings {
  schema: string;
  /** `[api] extra_search_path` (PostgREST's db-extra-search-path): after the request's schema. */
  extraSearchPath?: readonly string[];
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** The `select set_config(…)` statement and its values: search_path, role settings, role, claims, method, path, headers, cookies. */
export function settingsStatement(
  cache: SchemaCache,
  identity: Identity,
  req: RequestSettings,
): { sql: string; values: string[] } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'cookie' || v === undefined) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const pairs: [string, string][] = [
    [
      'search_path',
      [
        `"${req.schema.replaceAll('"', '""')}"`,
        ...(req.extraSearchPath ?? ['public', 'extensions']).map((s) =>
          /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replaceAll('"', '""')}"`,
        ),
      ].join(', '),
    ],
    ...(cache.roleSettings.get(identity.role) ?? []),
    ['role', identity.role],
    ['request.jwt.claims', JSON.stringify(identity.claims)],
    ['request.method', req.method],
    ['request.path', req.path],
    ['request.headers', JSON.stringify(headers)],
    ['request.cookies', JSON.stringify(cookies(req.headers.cookie))],
  ];
  const values: string[] = [];
  const calls = pairs.map(([k, v]) => {
    values.push(k, v);
    return `set_config($${values.length - 1}, $${values.length}, true)`;
  });
  return { sql: `select ${calls.join(', ')}`, values };
}

/**
 * The transaction's opening, in one round trip: BEGIN and the settings as one simple-query string, the
 * values quoted as literals (`pg`'s escapeLiteral: quotes doubled, backslashes in an E'' string).
 * Two round trips (BEGIN, then a parameterised set_config) cost a small request a tenth of its time.
 */
export function openingSql(
  readOnly: boolean,
  settings: { sql: string; values: string[] },
  client: pg.ClientBase,
): string {
  const begin = readOnly ? 'begin isolation level read committed read only' : 'begin isolation level read committed';
  const inlined = settings.sql.replace(/\$(\d+)/g, (_, n: string) =>
    client.escapeLiteral(settings.values[Number(n) - 1]!),
  );
  return `${begin}; ${inlined}`;
}

/** Runs `fn` in one transaction (read-only when asked) after applying the settings; rolls back when `fn` says so or throws. */
export async function inTransaction<T>(
  pool: pg.Pool,
  readOnly: boolean,
  settings: { sql: string; values: string[] },
  fn: (client: pg.PoolClient) => Promise<{ result: T; rollback: boolean }>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    try {
      await client.query(openingSql(readOnly, settings, client));
      const { result, rollback } = await fn(client);
      await client.query(rollback ? 'rollback' : 'commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch((e: Error) => {
        broken = e;
      });
      throw err;
    }
  } finally {
    client.release(broken);
  }
}
