/** PostgREST-compatible /rest/v1 service: routing, identity, schema profile, planning with cache reloads, one transaction per request. */
import type { ServerResponse } from 'node:http';
import type { StackContext } from '../context.ts';
import { header, type Service, type ServiceRequest } from '../gateway/http.ts';
import { cacheKey, Catalog, type SchemaCache } from './catalog.ts';
import type { Prepared, RestRequest } from './context.ts';
import { CacheMissError, fromDatabaseError, isDatabaseError, RestError, tableNotFound } from './errors.ts';
import { negotiate } from './media.ts';
import { planDelete, planInsert, planPut, planUpdate } from './mutations.ts';
import { parsePrefer } from './prefer.ts';
import { planRead } from './read.ts';
import type { Reply } from './response.ts';
import { planRpc } from './rpc.ts';
import { checkRole, identify, inTransaction, settingsStatement, type Identity } from './session.ts';
import { openApi, schemaAccessDenied } from './openapi.ts';
import { SchemaListener } from './schema-listener.ts';

const STALE_CODES = new Set(['42P01', '42703', '42883', '42704']);

/** Creates the /rest/v1 service for the exposed schemas in `ctx.schemas`. */
export function createRestService(ctx: StackContext): Service {
  const catalog = new Catalog(ctx.pool, ctx.schemas, {
    aggregates: envFlag('PGRST_DB_AGGREGATES_ENABLED'),
    plan: envFlag('PGRST_DB_PLAN_ENABLED'),
  });
  const listener = new SchemaListener(ctx.dbUrl, () => void catalog.reload().catch(() => {}));
  return async (req, res) => {
    const started = performance.now();
    listener.ensure();
    let identity: Identity | null = null;
    try {
      identity = await identify(ctx.keys, req.headers);
      send(res, req.method, await handle(ctx, catalog, req, identity, started));
    } catch (err) {
      let error: RestError;
      if (err instanceof RestError) error = err;
      else if (isDatabaseError(err)) {
        if (STALE_CODES.has(err.code ?? '')) catalog.reload().catch(() => {});
        error = fromDatabaseError(err, identity?.anonymous ?? true);
      } else throw err;
      const body = JSON.stringify(error.body());
      send(res, req.method, {
        status: error.status,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'proxy-status': `PostgREST; error=${error.code}`,
          ...error.headers,
        },
        body,
      });
    }
  };
}

/** A PostgREST boolean setting from the environment (PostgREST's own variable names); unset is false. */
function envFlag(name: string): boolean {
  const v = process.env[name]?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'false' || v === 'off' || v === '0' || v === 'no') return false;
  if (v === 'true' || v === 'on' || v === '1' || v === 'yes') return true;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(process.env[name])}`);
}

function profile(ctx: StackContext, req: ServiceRequest): string {
  const read = req.method === 'GET' || req.method === 'HEAD';
  const asked = header(req.headers, read ? 'accept-profile' : 'content-profile');
  if (asked === undefined) return ctx.schemas[0]!;
  if (!ctx.schemas.includes(asked)) {
    throw new RestError(
      406,
      'PGRST106',
      `Invalid schema: ${asked}`,
      null,
      `Only the following schemas are exposed: ${ctx.schemas.join(', ')}`,
    );
  }
  return asked;
}

async function handle(
  ctx: StackContext,
  catalog: Catalog,
  req: ServiceRequest,
  identity: Identity,
  started: number,
): Promise<Reply> {
  const schema = profile(ctx, req);
  const segments = req.path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new RestError(404, 'PGRST125', `Invalid path specified in request URL: ${req.path}`, null, null);
      }
    });
  if (segments.length === 0 && (req.method === 'GET' || req.method === 'HEAD')) {
    const denied = schemaAccessDenied(header(req.headers, 'apikey'), ctx.keys);
    if (denied) return denied;
  }
  const prefs = parsePrefer(req.headers.prefer);
  const media = negotiate(header(req.headers, 'accept'));
  const base = {
    method: req.method,
    schema,
    path: req.path,
    query: req.url.searchParams,
    body: req.body,
    contentType:
      (header(req.headers, 'content-type') ?? 'application/json').split(';')[0]!.trim().toLowerCase() ||
      'application/json',
    prefs,
    range: header(req.headers, 'range'),
    media,
  };

  const plan = (cache: SchemaCache): Prepared => {
    checkRole(cache, identity);
    // Plans are a media type PostgREST offers only with db-plan-enabled (off on hosted projects).
    if (media.plan && !cache.settings.plan) throw noMedia(header(req.headers, 'accept') ?? '');
    const r: RestRequest = { ...base, cache };
    if (segments.length === 0) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method);
      return openApi(r);
    }
    if (segments[0] === 'rpc' && segments.length === 2) {
      if (!['GET', 'HEAD', 'POST'].includes(req.method)) throw methodNotAllowed(req.method);
      return planRpc(r, segments[1]!);
    }
    if (segments.length !== 1)
      throw new RestError(404, 'PGRST125', `Invalid path specified in request URL: ${req.path}`, null, null);
    const table = cache.tables.get(cacheKey(schema, segments[0]!));
    if (!table)
      throw tableNotFound(
        schema,
        segments[0]!,
        [...cache.tables.values()].filter((t) => t.schema === schema).map((t) => t.name),
      );
    switch (req.method) {
      case 'GET':
      case 'HEAD':
        return planRead(r, table);
      case 'POST':
        return planInsert(r, table);
      case 'PATCH':
        return planUpdate(r, table);
      case 'DELETE':
        return planDelete(r, table);
      case 'PUT':
        return planPut(r, table);
      default:
        throw methodNotAllowed(req.method);
    }
  };

  let prepared: Prepared;
  try {
    prepared = plan(await catalog.get());
  } catch (err) {
    if (!(err instanceof CacheMissError)) throw err;
    // The name may be new (a migration ran while we were up): plan once more against a freshly read catalog.
    prepared = plan(await catalog.fresh(started));
  }
  const cache = await catalog.get();
  const settings = settingsStatement(cache, identity, {
    schema,
    extraSearchPath: ctx.api?.extraSearchPath,
    method: req.method,
    path: req.path,
    headers: req.headers,
  });
  return inTransaction(ctx.pool, prepared.readOnly, settings, async (client) => {
    const { reply, rollback } = await prepared.run(client);
    return { result: reply, rollback };
  });
}

function noMedia(accept: string): RestError {
  return new RestError(406, 'PGRST107', `None of these media types are available: ${accept}`, null, null);
}

function methodNotAllowed(method: string): RestError {
  return new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`, null, null);
}

function send(res: ServerResponse, method: string, reply: Reply): void {
  const body = method === 'HEAD' || reply.body === null ? '' : reply.body;
  const headers: Record<string, string | number> = { ...reply.headers, 'content-length': Buffer.byteLength(body) };
  res.writeHead(reply.status, headers);
  res.end(body);
}
