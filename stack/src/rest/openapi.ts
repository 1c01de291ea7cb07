/** `GET /rest/v1/`: a small OpenAPI 2.0 description of what the caller's role may use, for secret-key callers only. */
import type pg from 'pg';
import type { Keys } from '../keys.ts';
import type { Prepared, RestRequest } from './context.ts';
import type { Reply } from './response.ts';

/**
 * Hosted Supabase refuses the root to the anon and publishable keys (changelog 42949, March 2026) with this body;
 * the changelog gives no status, and 403 is what "forbidden" names. The gateway has already turned a secret key into
 * the service_role JWT, so one comparison covers both server-side keys.
 */
export function schemaAccessDenied(apikey: string | undefined, keys: Keys): Reply | null {
  if (apikey === keys.serviceRoleKey) return null;
  return {
    status: 403,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({
      message: 'Access to schema is forbidden',
      hint: 'Accessing the schema via the Data API is only allowed using a secret API key.',
    }),
  };
}

// PostgREST's openapi-mode follow-privileges: relations the role owns (through membership) or holds any privilege on,
// and functions it may execute. Run under the request's role, so the answer is the caller's.
const ACCESSIBLE_SQL = `
with ns as (select oid from pg_namespace where nspname = $1)
select 't' as kind, c.relname as name from pg_class c
where c.relnamespace = (select oid from ns) and c.relkind in ('r', 'v', 'm', 'f', 'p') and not c.relispartition
  and (pg_has_role(c.relowner, 'USAGE')
    or has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
    or has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
union
select 'f', p.proname from pg_proc p
where p.pronamespace = (select oid from ns) and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype
  and has_function_privilege(p.oid, 'execute')`;

/** Describes the tables, views and functions of the request's schema that the request's role may use. */
export function openApi(r: RestRequest): Prepared {
  return {
    readOnly: true,
    async run(client: pg.PoolClient) {
      const { rows } = await client.query<{ kind: 't' | 'f'; name: string }>(ACCESSIBLE_SQL, [r.schema]);
      const tables = new Set(rows.filter((x) => x.kind === 't').map((x) => x.name));
      const functions = new Set(rows.filter((x) => x.kind === 'f').map((x) => x.name));
      const paths: Record<string, unknown> = {
        '/': { get: { produces: ['application/openapi+json', 'application/json'] } },
      };
      const definitions: Record<string, unknown> = {};
      for (const t of r.cache.tables.values()) {
        if (t.schema !== r.schema || !tables.has(t.name)) continue;
        paths[`/${t.name}`] =
          t.kind === 'r' || t.kind === 'p' ? { get: {}, post: {}, patch: {}, delete: {} } : { get: {} };
        definitions[t.name] = {
          type: 'object',
          required: t.columnList.filter((c) => !c.nullable && !c.hasDefault).map((c) => c.name),
          properties: Object.fromEntries(t.columnList.map((c) => [c.name, { format: c.type }])),
        };
      }
      for (const fns of r.cache.functions.values()) {
        for (const fn of fns)
          if (fn.schema === r.schema && functions.has(fn.name)) paths[`/rpc/${fn.name}`] = { post: {}, get: {} };
      }
      const body = JSON.stringify({
        swagger: '2.0',
        info: { title: 'PostgREST API', version: '16.2' },
        basePath: '/',
        schemes: ['http'],
        consumes: ['application/json'],
        produces: ['application/json'],
        paths,
        definitions,
      });
      return {
        reply: { status: 200, headers: { 'content-type': 'application/openapi+json; charset=utf-8' }, body },
        rollback: false,
      };
    },
  };
}
