/** `GET /rest/v1/`: a small OpenAPI 2.0 description of the exposed tables and functions. */
import type { Prepared, RestRequest } from './context.ts';

/** Describes the tables, views and functions of the request's schema. */
export function openApi(r: RestRequest): Prepared {
  const paths: Record<string, unknown> = { '/': { get: { produces: ['application/openapi+json', 'application/json'] } } };
  const definitions: Record<string, unknown> = {};
  for (const t of r.cache.tables.values()) {
    if (t.schema !== r.schema) continue;
    paths[`/${t.name}`] = t.kind === 'r' || t.kind === 'p' ? { get: {}, post: {}, patch: {}, delete: {} } : { get: {} };
    definitions[t.name] = {
      type: 'object',
      required: t.columnList.filter((c) => !c.nullable && !c.hasDefault).map((c) => c.name),
      properties: Object.fromEntries(t.columnList.map((c) => [c.name, { format: c.type }])),
    };
  }
  for (const fns of r.cache.functions.values()) for (const fn of fns) if (fn.schema === r.schema) paths[`/rpc/${fn.name}`] = { post: {}, get: {} };
  const body = JSON.stringify({ swagger: '2.0', info: { title: 'PostgREST API', version: '16.2' }, basePath: '/', schemes: ['http'], consumes: ['application/json'], produces: ['application/json'], paths, definitions });
  return {
    readOnly: true,
    run: async () => ({ reply: { status: 200, headers: { 'content-type': 'application/openapi+json; charset=utf-8' }, body }, rollback: false }),
  };
}
