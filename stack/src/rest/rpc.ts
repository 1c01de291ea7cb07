/** /rpc/<fn>: picks the function by argument names, calls it with typed arguments, and shapes scalar, set and void results. */
import type pg from 'pg';
import type { Func, Table } from './catalog.ts';
import { cacheKey } from './catalog.ts';
import { parseJsonBody } from './body.ts';
import type { Prepared, RestRequest } from './context.ts';
import { CacheMissError, RestError } from './errors.ts';
import { checkMaxAffected, preferenceApplied } from './prefer.ts';
import { parseCount, parseSelect, SIMPLE_OPS } from './query-parser.ts';
import { applyQueryParams, planSelect, RESERVED_PARAMS } from './read-plan.ts';
import { checkSingle, contentRange, rangeError, rangeStatus, readResult } from './response.ts';
import { nodeSql, wrapBody, type BodyFormat } from './select-builder.ts';
import { ident, Params, qualified } from './sql.ts';
import { fuzzyBest } from './fuzzy.ts';

/** The type of the single unnamed parameter that receives the whole body, per request Content-Type (PostgREST's rule). */
const WHOLE_BODY_TYPE: Record<string, string[]> = {
  'application/json': ['json', 'jsonb'],
  'text/plain': ['text'],
  'text/xml': ['xml'],
  'application/octet-stream': ['bytea'],
};
const RAW_BODY_MEDIA = new Set(['text/plain', 'text/xml', 'application/octet-stream']);
const UNNAMED_CALLABLE = new Set(['bytea', 'json', 'jsonb', 'text', 'xml']);

/**
 * PostgREST hides functions it cannot call by name: more than one unnamed input parameter, or one unnamed
 * parameter of a type other than json, jsonb, text, bytea or xml.
 */
export function callable(fn: Func): boolean {
  const unnamed = fn.args.filter((a) => a.name === '').length;
  return unnamed === 0 || (unnamed === 1 && UNNAMED_CALLABLE.has(fn.args[0]!.type));
}

/** The single unnamed parameter form for this request's body (POST only). */
function takesWholeBody(fn: Func, r: RestRequest): boolean {
  return (
    r.method === 'POST' &&
    fn.args.length === 1 &&
    fn.args[0]!.name === '' &&
    (WHOLE_BODY_TYPE[r.contentType] ?? []).includes(fn.args[0]!.type)
  );
}

/** PostgREST's matchesParams: required parameters all given, every given key a parameter. */
function matchesParams(fn: Func, keys: Set<string>, r: RestRequest): boolean {
  if (fn.args.length === 0) return keys.size === 0 && !(r.method === 'POST' && RAW_BODY_MEDIA.has(r.contentType));
  const names = new Set(fn.args.map((a) => a.name));
  return [...keys].every((k) => names.has(k)) && fn.args.every((a) => a.hasDefault || keys.has(a.name));
}

function chooseFunction(r: RestRequest, name: string, argNames: string[]): Func {
  const overloads = (r.cache.functions.get(cacheKey(r.schema, name)) ?? []).filter(callable);
  const keys = new Set(argNames);
  const named = overloads.filter((fn) => matchesParams(fn, keys, r));
  const wholeBody = overloads.filter((fn) => !named.includes(fn) && takesWholeBody(fn, r));
  if (named.length === 1) return named[0]!;
  if (named.length === 0 && wholeBody.length === 1) return wholeBody[0]!;
  const ambiguous = named.length ? named : wholeBody;
  if (ambiguous.length > 1) {
    throw new RestError(
      300,
      'PGRST203',
      `Could not choose the best candidate function between: ${ambiguous.map((f) => `${r.schema}.${name}(${f.args.map((a) => `${a.name} => ${a.type}`).join(', ')})`).join(', ')}`,
      null,
      'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    );
  }
  throw noFunction(r, name, [...keys].sort(), overloads);
}

/** PGRST202 as PostgREST words it, with its fuzzy "Perhaps you meant" hint. */
function noFunction(r: RestRequest, name: string, keys: string[], overloads: Func[]): RestError {
  const isPost = r.method === 'POST';
  const rawBody = isPost && RAW_BODY_MEDIA.has(r.contentType);
  const fn = `${r.schema}.${name}`;
  const listed = keys.length ? `(${keys.join(', ')})` : ' without parameters';
  const withParams = keys.length
    ? ` with parameter${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`
    : ' without parameters';
  const searched = rawBody
    ? ` with a single unnamed ${WHOLE_BODY_TYPE[r.contentType]![0]} parameter`
    : isPost && r.contentType === 'application/json'
      ? `${withParams} or with a single unnamed json/jsonb parameter`
      : withParams;
  let hint: string | null = null;
  if (!rawBody) {
    if (overloads.length === 0) {
      const names = [...r.cache.functions.values()]
        .flat()
        .filter((f) => f.schema === r.schema && callable(f))
        .map((f) => f.name);
      const best = fuzzyBest(name, names, 0.75);
      if (best) hint = `Perhaps you meant to call the function ${r.schema}.${best}`;
    } else {
      // Parameter lists are compared by their names; a list with no names has nothing to suggest.
      const lists = overloads
        .filter((f) => f.args.some((a) => a.name))
        .map(
          (f) =>
            `(${f.args
              .map((a) => a.name)
              .sort()
              .join(', ')})`,
        );
      const best = fuzzyBest(`(${keys.join(', ')})`, lists, 0.33);
      if (best) hint = `Perhaps you meant to call the function ${fn}${best}`;
    }
  }
  return new CacheMissError(
    404,
    'PGRST202',
    `Could not find the function ${fn}${rawBody ? '' : listed} in the schema cache`,
    `Searched for the function ${fn}${searched}, but no matches were found in the schema cache.`,
    hint,
  );
}

/** The call's arguments: a JSON object (or form) body (POST), or the query parameters that name an argument (GET/HEAD). */
function readArgs(r: RestRequest, name: string): { args: Record<string, unknown>; skip: Set<string> } {
  const skip = new Set<string>();
  if (r.method === 'POST') {
    // A text, xml or binary body only ever goes whole to a single unnamed parameter.
    if (RAW_BODY_MEDIA.has(r.contentType)) return { args: {}, skip };
    if (r.contentType === 'application/x-www-form-urlencoded')
      return { args: Object.fromEntries(new URLSearchParams(r.body.toString('utf8'))), skip };
    const payload = parseJsonBody(r.body, {});
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new RestError(400, 'PGRST102', 'Empty or invalid json', null, null);
    }
    return { args: payload as Record<string, unknown>, skip };
  }
  // GET: a query parameter naming an argument of some overload is an argument; so is any other parameter whose value
  // is not an operator expression (PostgREST's rule), so that an unknown name makes the call not found.
  const known = new Set(
    (r.cache.functions.get(cacheKey(r.schema, name)) ?? []).flatMap((f) => f.args.map((a) => a.name)),
  );
  const args: Record<string, unknown> = {};
  for (const [k, v] of r.query) {
    const plain = !RESERVED_PARAMS.has(k) && !/(^|\.)(order|limit|offset|and|or)$/.test(k) && !isOperatorExpr(v);
    if (known.has(k) || plain) {
      args[k] = v;
      skip.add(k);
    }
  }
  return { args, skip };
}

const OPERATORS = new Set([...Object.keys(SIMPLE_OPS), 'in', 'is', 'fts', 'plfts', 'phfts', 'wfts']);

/** True for `[not.]op[(mod)].value`, the values PostgREST reads as filters. */
function isOperatorExpr(value: string): boolean {
  const m = /^(?:not\.)?([a-z]+)(?:\([^)]*\))?\./.exec(value);
  return m !== null && OPERATORS.has(m[1]!);
}

/** The SQL call expression, and the `from json_to_record(…)` that types the named arguments (empty when none). */
function callSql(
  r: RestRequest,
  fn: Func,
  args: Record<string, unknown>,
  params: Params,
): { call: string; argsFrom: string } {
  if (takesWholeBody(fn, r)) {
    const type = fn.args[0]!.type;
    const value =
      type === 'bytea' ? r.body : r.body.length || type === 'text' || type === 'xml' ? r.body.toString('utf8') : '{}';
    return { call: `${qualified(fn.schema, fn.name)}(${params.add(value)}::${type})`, argsFrom: '' };
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
  const fn = chooseFunction(r, name, Object.keys(args));
  if (r.prefs.handling === 'strict' && r.prefs.maxAffected !== undefined && !fn.returnsSet) {
    throw new RestError(
      400,
      'PGRST128',
      'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
      null,
      null,
    );
  }
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
      checkMaxAffected(r.prefs, res.page);
      const headers: Record<string, string> = {
        'content-type': r.media.contentType,
        'content-range': contentRange(lower, res.page, res.total),
      };
      const applied = preferenceApplied(r.prefs, 'rpc');
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
    constraintUniques: [],
  };
}
