/** /rpc/<fn>: picks the function by argument names, calls it with typed arguments, and shapes scalar, set and void results. */
import type pg from 'pg';
import type { Func, Table } from './catalog.ts';
import { cacheKey } from './catalog.ts';
import { parseJsonBody } from './body.ts';
import type { Prepared, RestRequest } from './context.ts';
import { CacheMissError, RestError } from './errors.ts';
import { preferenceApplied } from './prefer.ts';
import { parseCount, parseSelect } from './query-parser.ts';
import { applyQueryParams, planSelect } from './read-plan.ts';
import { checkSingle, contentRange, rangeError, rangeStatus, readResult } from './response.ts';
import { nodeSql, wrapBody, type BodyFormat } from './select-builder.ts';
import { ident, Params, qualified } from './sql.ts';

const JSON_TYPES = new Set(['json', 'jsonb']);

/** The single unnamed json/jsonb parameter form: the whole body is the argument. */
function takesWholeBody(fn: Func): boolean {
  return fn.args.length === 1 && fn.args[0]!.name === '' && JSON_TYPES.has(fn.args[0]!.type);
}

function chooseFunction(r: RestRequest, name: string, argNames: string[], isPost: boolean): Func {
  const candidates = r.cache.functions.get(cacheKey(r.schema, name)) ?? [];
  const matches = candidates.filter((fn) => {
    if (isPost && takesWholeBody(fn)) return true;
    const names = new Set(fn.args.map((a) => a.name));
    return argNames.every((n) => names.has(n)) && fn.args.every((a) => a.hasDefault || argNames.includes(a.name));
  });
  if (matches.length === 1) return matches[0]!;
  // Prefer the exact named match over the whole-body form when both fit.
  const exact = matches.filter((fn) => !takesWholeBody(fn));
  if (exact.length === 1) return exact[0]!;
  const sig = `${r.schema}.${name}(${[...argNames].sort().join(', ')})`;
  if (matches.length === 0) {
    throw new CacheMissError(
      404,
      'PGRST202',
      `Could not find the function ${sig} in the schema cache`,
      `Searched for the function ${r.schema}.${name} with ${argNames.length ? `parameters ${[...argNames].sort().join(', ')}` : 'no parameters'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
      candidates.length
        ? `Perhaps you meant to call the function ${r.schema}.${name}(${candidates[0]!.args.map((a) => a.name).join(', ')})`
        : null,
    );
  }
  throw new RestError(
    300,
    'PGRST203',
    `Could not choose the best candidate function between: ${matches.map((f) => `${r.schema}.${name}(${f.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`).join(', ')}`,
    null,
    'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
  );
}

/** The call's arguments: a JSON object body (POST), or the query parameters that name an argument (GET/HEAD). */
function readArgs(r: RestRequest, name: string): { args: Record<string, unknown>; skip: Set<string> } {
  const skip = new Set<string>();
  if (r.method === 'POST') {
    const payload = parseJsonBody(r.body, {});
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new RestError(
        400,
        'PGRST102',
        'Empty or invalid json',
        null,
        'Send the function arguments as one JSON object',
      );
    }
    return { args: payload as Record<string, unknown>, skip };
  }
  // GET: a query parameter naming an argument of some overload is an argument; the rest are filters.
  const known = new Set(
    (r.cache.functions.get(cacheKey(r.schema, name)) ?? []).flatMap((f) => f.args.map((a) => a.name)),
  );
  const args: Record<string, unknown> = {};
  for (const [k, v] of r.query) {
    if (known.has(k)) {
      args[k] = v;
      skip.add(k);
    }
  }
  return { args, skip };
}

/** The SQL call expression, and the `from json_to_record(…)` that types the named arguments (empty when none). */
function callSql(
  r: RestRequest,
  fn: Func,
  args: Record<string, unknown>,
  params: Params,
): { call: string; argsFrom: string } {
  if (takesWholeBody(fn) && r.method === 'POST' && !(fn.args[0]!.name in args && Object.keys(args).length === 1)) {
    return {
      call: `${qualified(fn.schema, fn.name)}(${params.add(r.body.length ? r.body.toString('utf8') : '{}')}::${fn.args[0]!.type})`,
      argsFrom: '',
    };
  }
  const used = fn.args.filter((a) => Object.hasOwn(args, a.name));
  // json_to_record turns JSON values (arrays, objects, strings) into the declared types, as PostgREST does.
  const argsFrom = used.length
    ? ` from json_to_record(${params.add(JSON.stringify(args))}::json) as pgrst_args(${used.map((a) => `${ident(a.name)} ${a.type}`).join(', ')})`
    : '';
  return {
    call: `${qualified(fn.schema, fn.name)}(${used.map((a) => `${ident(a.name)} := pgrst_args.${ident(a.name)}`).join(', ')})`,
    argsFrom,
  };
}

/** What a non-void call selects: its rows (and count) as a body, and whether the result is a scalar. */
interface ResultSql {
  sql: string;
  scalar: boolean;
}

/** A function returning rows behaves like a table: select, filters, order, paging; embeds when it returns a table type. */
function rowsResultSql(r: RestRequest, fn: Func, from: string, skip: Set<string>, params: Params): ResultSql {
  const table: Table =
    r.cache.tables.get(cacheKey(fn.schema, fn.returnType.replace(/^.*\./, '').replaceAll('"', ''))) ?? pseudoTable(fn);
  const node = planSelect(r.cache, table, parseSelect(r.query.get('select')), fn.name);
  applyQueryParams(node, r.query, skip);
  const rowsSql = nodeSql(node, from, params, [], 'rows');
  const countSql = r.prefs.count
    ? `(select count(*) from (${nodeSql(node, from, params, [], 'count')}) as pgrst_c)`
    : null;
  const bodyFormat: BodyFormat = !fn.returnsSet && r.media.format === 'json' ? 'object' : r.media.format;
  return { sql: wrapBody([], rowsSql, countSql, bodyFormat), scalar: false };
}

/** A scalar (or set of scalars, which still pages with limit/offset) as a JSON value or array. */
function scalarResultSql(r: RestRequest, fn: Func, call: string, argsFrom: string, params: Params): ResultSql {
  let rowsSql = `select ${call} as pgrst_scalar${argsFrom}`;
  if (fn.returnsSet) {
    const limit = r.query.get('limit');
    const offset = r.query.get('offset');
    if (limit !== null) rowsSql += ` limit ${params.add(parseCount(limit, 'limit'))}::bigint`;
    if (offset !== null) rowsSql += ` offset ${params.add(parseCount(offset, 'offset'))}::bigint`;
  }
  const countSql = r.prefs.count ? `(select count(*) from (${rowsSql}) as pgrst_c)` : null;
  if (r.media.format === 'csv') return { sql: wrapBody([], rowsSql, countSql, 'csv'), scalar: true };
  const agg = fn.returnsSet
    ? `coalesce(json_agg(pgrst_t.pgrst_scalar), '[]')::text`
    : `coalesce((json_agg(pgrst_t.pgrst_scalar)->0)::text, 'null')`;
  return {
    sql: `with pgrst_rows as (${rowsSql}) select ${countSql ?? 'null::bigint'} as total, count(*) as page, ${agg} as body from pgrst_rows as pgrst_t`,
    scalar: true,
  };
}

/** Plans a call of `/rpc/<name>` by POST (JSON object body) or GET/HEAD (arguments in the query string). */
export function planRpc(r: RestRequest, name: string): Prepared {
  const { args, skip } = readArgs(r, name);
  const fn = chooseFunction(r, name, Object.keys(args), r.method === 'POST');
  const params = new Params();
  const { call, argsFrom } = callSql(r, fn, args, params);
  const readOnly = r.method === 'GET' || r.method === 'HEAD' || fn.volatility !== 'v';
  const rollback = r.prefs.tx === 'rollback';
  if (fn.isVoid) {
    const sql = `select ${call}${argsFrom}`;
    return {
      readOnly,
      run: async (client) => {
        await client.query(sql, params.values);
        return { reply: { status: 204, headers: {}, body: null }, rollback };
      },
    };
  }
  const from = `(select pgrst_call.*${argsFrom ? argsFrom + ' cross join lateral' : ' from'} ${call} as pgrst_call)`;
  const { sql, scalar } = fn.outColumns
    ? rowsResultSql(r, fn, from, skip, params)
    : scalarResultSql(r, fn, call, argsFrom, params);
  return {
    readOnly,
    async run(client: pg.PoolClient) {
      const res = readResult((await client.query(sql, params.values)).rows[0]);
      const lower = fn.returnsSet ? Number(r.query.get('offset') ?? 0) || 0 : 0;
      if (fn.returnsSet && rangeStatus(lower, res.page, res.total) === 416) throw rangeError(lower, res.total!);
      if (!(scalar && !fn.returnsSet)) checkSingle(r.media.format, res.page);
      const headers: Record<string, string> = {
        'content-type': r.media.contentType,
        'content-range': contentRange(lower, res.page, res.total),
      };
      const applied = preferenceApplied(r.prefs, { mutation: false });
      if (applied) headers['preference-applied'] = applied;
      const status = fn.returnsSet ? rangeStatus(lower, res.page, res.total) : 200;
      return { reply: { status, headers, body: r.prefs.return === 'minimal' ? null : res.body }, rollback };
    },
  };
}

function pseudoTable(fn: Func): Table {
  const cols = fn.outColumns ?? [];
  return {
    schema: fn.schema,
    name: fn.name,
    kind: 'f',
    columnList: cols,
    columns: new Map(cols.map((c) => [c.name, c])),
    pk: [],
    uniques: [],
  };
}
