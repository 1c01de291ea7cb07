/** Generates the SQL of a read tree: lateral joins for embeds, json aggregation, filters, order and paging. */
import type { Table } from './catalog.ts';
import { columnNotFound, RestError } from './errors.ts';
import { conditionSql, withJsonPath, type FieldResolver } from './filters.ts';
import type { FieldRef, OrderTerm } from './query-parser.ts';
import type { PlannedEmbed, ReadNode } from './read-plan.ts';
import { castType, ident, qualified, type Params } from './sql.ts';

/** The output key of a plain field: its alias, else the last JSON key, else the column name. */
function outputName(field: FieldRef, alias: string | undefined): string {
  return alias ?? field.jsonPath[field.jsonPath.length - 1]?.key ?? field.name;
}

function embeds(node: ReadNode): PlannedEmbed[] {
  return node.items.filter((i): i is PlannedEmbed => i.kind === 'embed');
}

function resolver(node: ReadNode, params: Params, used: Set<PlannedEmbed>): FieldResolver {
  const a = ident(node.alias);
  return (field) => {
    const col = node.table.columns.get(field.name);
    if (col)
      return {
        sql: withJsonPath(`${a}.${ident(col.name)}`, field, params),
        type: field.jsonPath.length ? 'json' : col.type,
      };
    const fn = node.computed.get(field.name);
    // The cast makes rows of a CTE or function result (mutations, rpc) acceptable where the table's row type is expected.
    if (fn)
      return {
        sql: withJsonPath(`${qualified(fn.schema, fn.name)}(${a}::${tableSql(node.table)})`, field, params),
        type: field.jsonPath.length ? 'json' : fn.returnType,
      };
    // `embed=is.null` / `embed=not.is.null` filters parents by whether the embed found rows.
    const embed = embeds(node).find((e) => e.outName === field.name && !e.spread && field.jsonPath.length === 0);
    if (embed) {
      used.add(embed);
      return { sql: `${ident(embed.joinAlias)}.body`, type: 'json' };
    }
    // `select=count` (no parentheses): PostgREST writes `"t"."count"`, which Postgres reads as `count(t)` when the
    // relation has no such column; kept for `embed(count)`, and not gated by db-aggregates-enabled, as there.
    if (field.name === 'count' && field.jsonPath.length === 0) return { sql: 'count(*)', type: 'bigint' };
    throw columnNotFound(
      node.displayAlias,
      field.name,
      node.table.columnList.map((c) => c.name),
    );
  };
}

function orderSql(node: ReadNode, term: OrderTerm, resolve: FieldResolver, params: Params): string {
  let expr: string;
  if (term.relation) {
    const embed = embeds(node).find(
      (e) => (e.outName === term.relation || e.name === term.relation) && e.rel.toOne && !e.spread,
    );
    if (!embed)
      throw new RestError(
        400,
        'PGRST118',
        `A related order on '${term.relation}' is not possible`,
        null,
        'Order only by columns of to-one embeds named in select',
      );
    expr = withJsonPath(
      `(${ident(embed.joinAlias)}.body::jsonb)->${params.add(term.field.name)}::text`,
      term.field,
      params,
    );
  } else {
    expr = resolve(term.field).sql;
  }
  const dir = term.direction ?? 'asc';
  return `${expr} ${dir}${term.nulls ? ` nulls ${term.nulls}` : ''}`;
}

/**
 * SQL for one node. `mode: 'rows'` selects the output columns with order and paging;
 * `mode: 'count'` selects nothing but keeps the joins that filter rows, for `Prefer: count=exact`.
 */
export function nodeSql(
  node: ReadNode,
  fromSql: string,
  params: Params,
  extraWhere: string[],
  mode: 'rows' | 'count',
): string {
  const a = ident(node.alias);
  const usedByWhere = new Set<PlannedEmbed>();
  const resolve = resolver(node, params, usedByWhere);
  const where = [...extraWhere, ...node.where.map((c) => conditionSql(c, resolve, params))];
  const order = mode === 'rows' ? node.order.map((t) => orderSql(node, t, resolve, params)) : [];
  const cols: string[] = [];
  const joins: string[] = [];
  // With an aggregate in the select list every other output column groups the rows (PostgREST's automatic GROUP BY),
  // referenced by position so that bound JSON-path keys need not repeat; embeds group as jsonb (json has no equality).
  const aggregating = mode === 'rows' && node.items.some((i) => i.kind === 'field' && i.aggregate);
  const groupBy: number[] = [];
  for (const item of node.items) {
    if (item.kind === 'star') {
      if (!aggregating) cols.push(`${a}.*`);
      else
        for (const col of node.table.columnList) {
          cols.push(`${a}.${ident(col.name)}`);
          groupBy.push(cols.length);
        }
    } else if (item.kind === 'field') {
      // A count selects no fields; resolving one would add its JSON-path values to params that the SQL never uses,
      // and Postgres refuses a bind with more values than the statement names (08P01).
      if (mode === 'count') continue;
      const cast = item.cast ? `::${castType(item.cast)}` : '';
      if (item.aggregate) {
        const input =
          item.field.name === '*' ? '*' : cast ? `(${resolve(item.field).sql})${cast}` : resolve(item.field).sql;
        const out = item.aggregateCast ? `::${castType(item.aggregateCast)}` : '';
        cols.push(`${item.aggregate}(${input})${out} as ${ident(item.alias ?? item.aggregate)}`);
        continue;
      }
      const { sql } = resolve(item.field);
      // Parenthesised: `::` binds tighter than `->>`, so `data->>$1::text::int` would cast the key, not the value.
      cols.push(`${cast ? `(${sql})${cast}` : sql} as ${ident(outputName(item.field, item.alias))}`);
      if (aggregating) groupBy.push(cols.length);
    } else {
      if (mode === 'count' && !item.inner && !usedByWhere.has(item)) continue;
      joins.push(embedJoin(node, item, params));
      const j = ident(item.joinAlias);
      const body = aggregating ? `${j}.body::jsonb` : `${j}.body`;
      if (item.empty) continue;
      if (item.spread) {
        if (aggregating)
          throw new RestError(
            400,
            'PGRST127',
            'Feature not implemented',
            'Aggregates combined with spread embeds are not implemented by the local stack.',
            null,
          );
        cols.push(`${j}.*`);
      } else if (item.rel.toOne) cols.push(`${body} as ${ident(item.outName)}`);
      else cols.push(`coalesce(${body}, '[]') as ${ident(item.outName)}`);
      if (aggregating) groupBy.push(cols.length);
    }
  }
  let sql = `select ${mode === 'count' ? '1' : cols.join(', ') || 'null'} from ${fromSql} as ${a}`;
  if (joins.length) sql += ` ${joins.join(' ')}`;
  if (where.length) sql += ` where ${where.map((w) => `(${w})`).join(' and ')}`;
  if (groupBy.length) sql += ` group by ${groupBy.join(', ')}`;
  if (order.length) sql += ` order by ${order.join(', ')}`;
  if (mode === 'rows' && node.limit !== undefined) sql += ` limit ${params.add(node.limit)}::bigint`;
  if (mode === 'rows' && node.offset) sql += ` offset ${params.add(node.offset)}::bigint`;
  return sql;
}

function embedJoin(parent: ReadNode, embed: PlannedEmbed, params: Params): string {
  const { fk, direction, junctionFk } = embed.rel;
  const pa = ident(parent.alias);
  const ca = ident(embed.node.alias);
  // m2o: the parent row holds fk.columns pointing at the embed's fk.refColumns; o2m: the other way round;
  // m2m: a junction row points at both.
  let pairs: string[];
  let from = tableSql(embed.node.table);
  if (direction === 'computed') {
    // A computed relationship: the function of the parent's row gives the embed's rows.
    const fn = embed.rel.fn!;
    from = `${qualified(fn.schema, fn.name)}(${pa}::${tableSql(parent.table)})`;
    pairs = [];
  } else if (direction === 'm2o')
    pairs = fk.columns.map((c, i) => `${ca}.${ident(fk.refColumns[i]!)} = ${pa}.${ident(c)}`);
  else if (direction === 'o2m')
    pairs = fk.columns.map((c, i) => `${ca}.${ident(c)} = ${pa}.${ident(fk.refColumns[i]!)}`);
  else {
    const jf = junctionFk!;
    const on = [
      ...fk.columns.map((c, i) => `pgrst_jt.${ident(c)} = ${pa}.${ident(fk.refColumns[i]!)}`),
      ...jf.columns.map((c, i) => `pgrst_jt.${ident(c)} = ${ca}.${ident(jf.refColumns[i]!)}`),
    ];
    pairs = [`exists (select 1 from ${qualified(fk.schema, fk.table)} as pgrst_jt where ${on.join(' and ')})`];
  }
  const child = nodeSql(embed.node, from, params, pairs, 'rows');
  const j = ident(embed.joinAlias);
  const join = embed.inner ? 'inner join lateral' : 'left join lateral';
  if (embed.spread && embed.rel.toOne) return `${join} (${child}) as ${j} on true`;
  if (embed.spread) {
    // A to-many spread: one JSON array per output column, in the embed's order (PostgREST's ToManySpread).
    const names = outputNames(embed.node);
    const cols = names.map((c) => `coalesce(json_agg(pgrst_r.${ident(c)}), '[]') as ${ident(c)}`);
    // !inner drops parents without rows: the arrays are empty exactly then.
    const on = embed.inner && names.length ? `json_array_length(${j}.${ident(names[0]!)}) > 0` : 'true';
    return `${join} (select ${cols.join(', ') || 'null'} from (${child}) as pgrst_r) as ${j} on ${on}`;
  }
  const agg = embed.rel.toOne ? 'row_to_json(pgrst_r)' : 'json_agg(pgrst_r)';
  return `${join} (select ${agg} as body from (${child}) as pgrst_r) as ${j} on ${embed.inner ? `${j}.body is not null` : 'true'}`;
}

/** The keys a node's rows carry, in order (for to-many spreads, which aggregate each one). */
function outputNames(node: ReadNode): string[] {
  const out: string[] = [];
  for (const item of node.items) {
    if (item.kind === 'star') out.push(...node.table.columnList.map((c) => c.name));
    else if (item.kind === 'field')
      out.push(item.aggregate ? (item.alias ?? item.aggregate) : outputName(item.field, item.alias));
    else if (item.empty) continue;
    else if (item.spread) out.push(...outputNames(item.node));
    else out.push(item.outName);
  }
  return out;
}

/** `"schema"."table"`. */
export function tableSql(table: Table): string {
  return qualified(table.schema, table.name);
}

/** How the response body is rendered by Postgres. */
export type BodyFormat = 'json' | 'object' | 'csv' | 'stripped' | 'object-stripped';

function bodyExpr(format: BodyFormat): string {
  switch (format) {
    case 'json':
      return `coalesce(json_agg(pgrst_t), '[]')::text`;
    case 'stripped':
      return `coalesce(json_agg(json_strip_nulls(row_to_json(pgrst_t))), '[]')::text`;
    case 'object':
      return `coalesce((json_agg(pgrst_t)->0)::text, 'null')`;
    case 'object-stripped':
      return `coalesce(json_strip_nulls(json_agg(pgrst_t)->0)::text, 'null')`;
    case 'csv':
      // As PostgREST: a header from the first row's keys, then each row's record text without its parentheses.
      return (
        `coalesce((select string_agg(k, ',') from json_object_keys((select row_to_json(h) from pgrst_rows h limit 1)) as k), '')` +
        ` || E'\\n' || coalesce(string_agg(substring(pgrst_t::text, 2, length(pgrst_t::text) - 2), E'\\n'), '')`
      );
  }
}

/** Wraps a rows query into one statement returning `total`, `page` (row count) and `body` (text). */
export function wrapBody(ctes: string[], rowsSql: string, countSql: string | null, format: BodyFormat): string {
  const all = [...ctes, `pgrst_rows as (${rowsSql})`].join(', ');
  return `with ${all} select ${countSql ?? 'null::bigint'} as total, count(*) as page, ${bodyExpr(format)} as body from pgrst_rows as pgrst_t`;
}

/** The root conditions alone, for `update … where` and `delete … where`. */
export function whereSql(node: ReadNode, params: Params): string[] {
  const used = new Set<PlannedEmbed>();
  const resolve = resolver(node, params, used);
  const out = node.where.map((c) => conditionSql(c, resolve, params));
  if (used.size)
    throw new RestError(
      400,
      'PGRST100',
      'Filtering on an embedded resource is not possible in an update or delete',
      null,
      "Filter on the table's own columns",
    );
  return out;
}
