/** insert (bulk via json_populate_recordset), upsert, update and delete, with PostgREST's return/count/missing preferences. */
import type pg from 'pg';
import type { Table } from './catalog.ts';
import { parseJsonBody, payloadColumns, payloadObject, payloadRows, type JsonObject } from './body.ts';
import type { Prepared, RestRequest } from './context.ts';
import { bodyColumnNotFound, RestError } from './errors.ts';
import { parseColumns, parseSelect } from './query-parser.ts';
import { applyQueryParams, planSelect, type ReadNode } from './read-plan.ts';
import { checkSingle, contentRange, readResult, type Reply } from './response.ts';
import { nodeSql, tableSql, whereSql, wrapBody } from './select-builder.ts';
import { ident, Params } from './sql.ts';
import { checkMaxAffected, preferenceApplied } from './prefer.ts';

/** Builds one data-modifying statement (no RETURNING) with its own values. */
type Statement = (params: Params) => string;

function rootNode(r: RestRequest, table: Table): ReadNode {
  const node = planSelect(r.cache, table, parseSelect(r.query.get('select')));
  applyQueryParams(node, r.query);
  return node;
}

/** The rows a mutation returns, with root filters and paging removed (those applied to the mutation itself). */
function representationNode(node: ReadNode): ReadNode {
  return { ...node, where: [], limit: undefined, offset: undefined };
}

/**
 * The rows `return=headers-only` reads: only the primary key, for the Location header. The body is never sent, so
 * neither `select` nor the Accept format applies (PostgREST builds Location from the key even when select omits it).
 */
function locationNode(node: ReadNode, table: Table): ReadNode {
  return {
    ...representationNode(node),
    items: table.pk.map((name) => ({ kind: 'field', field: { name, jsonPath: [] } })),
    order: [],
  };
}

/** Plans `POST /table`: insert, or upsert with `Prefer: resolution=…`. */
export function planInsert(req: RestRequest, table: Table): Prepared {
  const node = rootNode(req, table);
  const conflict = conflictTarget(req, table);
  // Without a primary key or on_conflict there is nothing to resolve on: PostgREST ignores the preference (and does not echo it).
  const r = conflict.length || !req.prefs.resolution ? req : { ...req, prefs: { ...req.prefs, resolution: undefined } };
  const t = tableSql(table);
  const a = ident(table.name);
  const columnsParam = r.query.get('columns');
  if (columnsParam !== null && r.prefs.missing !== 'default' && firstByte(r.body) === 0x5b /* [ */) {
    // Bulk fast path (what postgrest-js sends for arrays): the columns are given, so the body goes to Postgres as it came,
    // without parsing and re-serialising it here; Postgres validates the JSON.
    const columns = payloadColumns(table, [], columnsParam);
    const list = columns.map(ident).join(', ');
    const json = r.body.toString('utf8');
    const statement: Statement = (params) =>
      `insert into ${t} as ${a} (${list}) select ${list} from json_populate_recordset(null::${t}, ${params.add(json)}::json) as pgrst_body${onConflictSql(r, conflict, columns)}`;
    return mutation(r, table, node, [statement], 'insert');
  }
  const rows = payloadRows(parseJsonBody(r.body, null));
  const columns = rows.length ? payloadColumns(table, rows, columnsParam) : [];
  const onConflict = (cols: string[]) => onConflictSql(r, conflict, cols);
  const statements: Statement[] = [];
  // Without missing=default every listed column is written (absent keys become null); with it, rows are grouped
  // by the keys they carry so that absent columns take their real defaults (sequences, identity, expressions).
  const groups = new Map<string, { cols: string[]; rows: JsonObject[] }>();
  for (const row of rows) {
    const cols = r.prefs.missing === 'default' ? columns.filter((c) => Object.hasOwn(row, c)) : columns;
    const key = cols.join('\u0001');
    const g = groups.get(key) ?? { cols, rows: [] };
    g.rows.push(row);
    groups.set(key, g);
  }
  // On conflict every payload column is set from `excluded`, which holds the column default where a row left the key
  // out: with missing=default an upsert resets absent columns to their defaults on update too, as PostgREST does.
  for (const { cols, rows: groupRows } of groups.values()) {
    if (cols.length === 0) {
      for (let i = 0; i < groupRows.length; i++)
        statements.push(() => `insert into ${t} as ${a} default values${onConflict(columns)}`);
      continue;
    }
    const list = cols.map(ident).join(', ');
    const json = JSON.stringify(groupRows);
    statements.push(
      (params) =>
        `insert into ${t} as ${a} (${list}) select ${list} from json_populate_recordset(null::${t}, ${params.add(json)}::json) as pgrst_body${onConflict(columns)}`,
    );
  }
  return mutation(r, table, node, statements, 'insert');
}

/**
 * Plans `PUT /table?pk=eq.value`: a single-row upsert by primary key. The filters must be exactly the primary key
 * with `eq` (PGRST105), no limit/offset (PGRST114), and the body's key must match the URL (PGRST115).
 */
export function planPut(r: RestRequest, table: Table): Prepared {
  const node = rootNode(r, table);
  if (node.limit !== undefined || node.offset !== undefined)
    throw new RestError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT', null, null);
  const keyFilters = new Map<string, string>();
  const exact = node.where.every((c) => {
    if (c.kind !== 'filter') return false;
    const f = c.filter;
    if (f.negate || f.operation.op !== 'eq' || f.operation.quantifier || f.field.jsonPath.length) return false;
    if (!table.pk.includes(f.field.name) || keyFilters.has(f.field.name)) return false;
    keyFilters.set(f.field.name, f.operation.value);
    return true;
  });
  if (!table.pk.length || !exact || keyFilters.size !== table.pk.length)
    throw new RestError(
      405,
      'PGRST105',
      "Filters must include all and only primary key columns with 'eq' operators",
      null,
      null,
    );
  const rows = payloadRows(parseJsonBody(r.body, null));
  const columns = payloadColumns(table, rows, r.query.get('columns'));
  const t = tableSql(table);
  const a = ident(table.name);
  const list = columns.map(ident).join(', ');
  const statement: Statement = (params) => {
    const match = table.pk.map((k) => `pgrst_body.${ident(k)} = ${params.add(keyFilters.get(k))}`).join(' and ');
    const set = columns.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ');
    return `insert into ${t} as ${a} (${list}) select ${list} from json_populate_recordset(null::${t}, ${params.add(JSON.stringify(rows))}::json) as pgrst_body where ${match} on conflict (${table.pk.map(ident).join(', ')}) do ${set ? `update set ${set}` : 'nothing'}`;
  };
  return mutation(r, table, { ...node, where: [] }, [statement], 'put');
}

/** `on conflict …` for `Prefer: resolution=…`: nothing, `do nothing`, or `do update` of the written columns. */
function onConflictSql(r: RestRequest, conflict: string[], cols: string[]): string {
  if (!r.prefs.resolution) return '';
  const target = conflict.length ? ` (${conflict.map(ident).join(', ')})` : '';
  if (r.prefs.resolution === 'ignore-duplicates' || cols.length === 0) return ` on conflict${target} do nothing`;
  return ` on conflict${target} do update set ${cols.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}`;
}

function firstByte(body: Buffer): number | undefined {
  for (const b of body) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  return undefined;
}

function conflictTarget(r: RestRequest, table: Table): string[] {
  const raw = r.query.get('on_conflict');
  if (raw === null) return table.pk;
  const cols = parseColumns(raw);
  for (const c of cols) if (!table.columns.has(c)) throw bodyColumnNotFound(table.name, c);
  return cols;
}

function rejectRootPaging(node: ReadNode): void {
  // `order` only sorts the returned rows; a limited update/delete is not offered, so refuse rather than touch every match.
  if (node.limit !== undefined || node.offset !== undefined) {
    throw new RestError(400, 'PGRST100', 'limit and offset are not supported on update or delete here', null, null);
  }
}

/** Plans `PATCH /table?filters`. */
export function planUpdate(r: RestRequest, table: Table): Prepared {
  const node = rootNode(r, table);
  rejectRootPaging(node);
  const row = payloadObject(parseJsonBody(r.body, {}));
  const columns = payloadColumns(table, [row], r.query.get('columns'));
  const t = tableSql(table);
  const a = ident(table.name);
  const statements: Statement[] =
    columns.length === 0
      ? []
      : [
          (params) => {
            const set = columns.map((c) => `${ident(c)} = pgrst_body.${ident(c)}`).join(', ');
            const json = params.add(JSON.stringify(row));
            const where = whereSql(node, params);
            return `update ${t} as ${a} set ${set} from json_populate_record(null::${t}, ${json}::json) as pgrst_body${where.length ? ` where ${where.map((w) => `(${w})`).join(' and ')}` : ''}`;
          },
        ];
  return mutation(r, table, node, statements, 'update');
}

/** Plans `DELETE /table?filters`. */
export function planDelete(r: RestRequest, table: Table): Prepared {
  const node = rootNode(r, table);
  rejectRootPaging(node);
  const t = tableSql(table);
  const a = ident(table.name);
  const statements: Statement[] = [
    (params) => {
      const where = whereSql(node, params);
      return `delete from ${t} as ${a}${where.length ? ` where ${where.map((w) => `(${w})`).join(' and ')}` : ''}`;
    },
  ];
  return mutation(r, table, node, statements, 'delete');
}

function mutation(
  r: RestRequest,
  table: Table,
  node: ReadNode,
  statements: Statement[],
  kind: 'insert' | 'update' | 'delete' | 'put',
): Prepared {
  // Build the SQL now so that every unknown name fails during planning (and can trigger a cache reload).
  const headersOnly = r.prefs.return === 'headers-only';
  const wantsRows = r.prefs.return === 'representation' || headersOnly;
  let combined: { sql: string; values: unknown[] } | null = null;
  let separate: { sql: string; values: unknown[] }[] = [];
  // An upsert that merges reports 201 when it inserted a row and 200 when it only updated, as PostgREST does;
  // `xmax = 0` in RETURNING tells a freshly inserted row from an updated one.
  const trackInserts =
    (kind === 'put' || (kind === 'insert' && r.prefs.resolution === 'merge-duplicates')) &&
    (table.kind === 'r' || table.kind === 'p');
  if (wantsRows && statements.length) {
    const params = new Params();
    const a = ident(table.name);
    const extra = trackInserts ? `, (${a}.xmax = 0) as pgrst_inserted` : '';
    const ctes = statements.map((s, i) => `pgrst_m${i} as (${s(params)} returning ${a}.*${extra})`);
    const cols = trackInserts ? table.columnList.map((c) => ident(c.name)).join(', ') : '*';
    ctes.push(`pgrst_source as (${statements.map((_, i) => `select ${cols} from pgrst_m${i}`).join(' union all ')})`);
    const inserted = trackInserts
      ? `(select count(*) from (${statements.map((_, i) => `select 1 from pgrst_m${i} where pgrst_inserted`).join(' union all ')}) as pgrst_i)`
      : null;
    const rows = nodeSql(
      headersOnly ? locationNode(node, table) : representationNode(node),
      'pgrst_source',
      params,
      [],
      'rows',
    );
    combined = { sql: wrapBody(ctes, rows, inserted, headersOnly ? 'json' : r.media.format), values: params.values };
  } else {
    separate = statements.map((s) => {
      const params = new Params();
      return { sql: s(params), values: params.values };
    });
  }
  return {
    readOnly: false,
    async run(client: pg.PoolClient) {
      let affected = 0;
      let inserted: number | null = null;
      let body: string | null = null;
      if (combined) {
        const res = readResult((await client.query(combined.sql, combined.values)).rows[0]);
        affected = res.page;
        body = res.body;
        if (trackInserts) inserted = res.total ?? 0;
      } else {
        for (const s of separate) affected += (await client.query(s.sql, s.values)).rowCount ?? 0;
        if (wantsRows) body = r.media.format === 'object' && !headersOnly ? 'null' : '[]';
      }
      // PostgREST enforces max-affected on updates and deletes, not on inserts.
      if (kind === 'update' || kind === 'delete') checkMaxAffected(r.prefs, affected);
      if (kind === 'put' && affected !== 1)
        throw new RestError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)', null, null);
      if (r.prefs.return === 'representation') checkSingle(r.media.format, affected);
      const status = (kind === 'insert' || kind === 'put') && inserted === 0 ? 200 : undefined;
      return { reply: reply(r, table, kind, affected, body, status), rollback: r.prefs.tx === 'rollback' };
    },
  };
}

function reply(
  r: RestRequest,
  table: Table,
  kind: 'insert' | 'update' | 'delete' | 'put',
  affected: number,
  body: string | null,
  status?: number,
): Reply {
  const headers: Record<string, string> = {};
  const total = r.prefs.count ? affected : null;
  headers['content-range'] =
    kind === 'insert' || kind === 'put' ? `*/${total ?? '*'}` : contentRange(0, affected, total);
  const applied = preferenceApplied(r.prefs, kind);
  if (applied) headers['preference-applied'] = applied;
  if (r.prefs.return === 'headers-only' && kind === 'insert' && body && table.pk.length) {
    const first = (JSON.parse(body) as Record<string, unknown>[])[0];
    if (first)
      headers.location = `/${table.name}?${table.pk.map((k) => `${encodeURIComponent(k)}=eq.${encodeURIComponent(String(first[k]))}`).join('&')}`;
  }
  if (r.prefs.return === 'representation') {
    headers['content-type'] = r.media.contentType;
    return { status: status ?? (kind === 'insert' || kind === 'put' ? 201 : 200), headers, body };
  }
  return { status: kind === 'insert' ? 201 : 204, headers, body: null };
}
