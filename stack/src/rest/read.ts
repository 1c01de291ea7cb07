/** GET/HEAD on a table or view: the read tree rendered to JSON (or CSV) by Postgres, with counts and ranges. */
import type pg from 'pg';
import type { Table } from './catalog.ts';
import type { Prepared, RestRequest } from './context.ts';
import { RestError } from './errors.ts';
import { preferenceApplied } from './prefer.ts';
import { parseSelect } from './query-parser.ts';
import { applyQueryParams, planSelect, type ReadNode } from './read-plan.ts';
import { checkSingle, contentRange, rangeError, rangeStatus, readResult } from './response.ts';
import { nodeSql, tableSql, wrapBody } from './select-builder.ts';
import type { Params as ParamsType } from './sql.ts';
import { Params } from './sql.ts';

/**
 * Applies the `Range: first-last` header (GET only, as PostgREST) to the root's offset and limit, intersected with
 * `offset`/`limit`; an empty intersection is 416 PGRST103 (except `limit=0`, which asks for no rows).
 */
export function applyRangeHeader(r: RestRequest, node: ReadNode): void {
  if (r.method !== 'GET' || r.range === undefined) return;
  const m = /^(\d+)-(\d*)$/.exec(r.range.trim());
  if (!m) return;
  const lower = Math.max(Number(m[1]), node.offset ?? 0);
  const upperHeader = m[2] === '' ? Infinity : Number(m[2]);
  const upperQuery = node.limit === undefined ? Infinity : (node.offset ?? 0) + node.limit - 1;
  const upper = Math.min(upperHeader, upperQuery);
  if (node.limit === 0) return;
  if (upper < lower) {
    throw new RestError(
      416,
      'PGRST103',
      'Requested range not satisfiable',
      'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      null,
    );
  }
  node.offset = lower || undefined;
  node.limit = upper === Infinity ? undefined : upper - lower + 1;
}

/** `EXPLAIN` of a statement for `Accept: application/vnd.pgrst.plan` (with db-plan-enabled). */
export function explainSql(r: RestRequest, sql: string): string {
  const plan = r.media.plan!;
  const opts = [`format ${plan.format}`, ...plan.options.map((o) => `${o} true`)];
  return `explain (${opts.join(', ')}) ${sql}`;
}

/** The planner's row estimate for a query (`Prefer: count=planned`). */
export async function plannedCount(client: pg.PoolClient, sql: string, values: unknown[]): Promise<number> {
  const res = await client.query(`explain (format json) ${sql}`, values);
  const plan = (res.rows[0]['QUERY PLAN'] as { Plan: { 'Plan Rows': number } }[])[0]!;
  return Math.round(plan.Plan['Plan Rows']);
}

/** The count query of a node (`select 1 … where …`) with its own parameters, for the planner. */
export function countQuery(node: ReadNode, from: string): { sql: string; params: ParamsType } {
  const params = new Params();
  return { sql: nodeSql(node, from, params, [], 'count'), params };
}

/** Plans a read of `table`. */
export function planRead(r: RestRequest, table: Table): Prepared {
  const node = planSelect(r.cache, table, parseSelect(r.query.get('select')));
  applyQueryParams(node, r.query);
  applyRangeHeader(r, node);
  const params = new Params();
  const from = tableSql(table);
  const rowsSql = nodeSql(node, from, params, [], 'rows');
  // exact and estimated count every row; planned asks the planner only (estimated takes the larger of the two, as
  // PostgREST does when no db-max-rows caps the count).
  const exact = r.prefs.count === 'exact' || r.prefs.count === 'estimated';
  const countSql = exact ? `(select count(*) from (${nodeSql(node, from, params, [], 'count')}) as pgrst_c)` : null;
  const sql = wrapBody([], rowsSql, countSql, r.media.format);
  const planned = r.prefs.count === 'planned' || r.prefs.count === 'estimated' ? countQuery(node, from) : null;
  const lower = node.offset ?? 0;
  return {
    readOnly: true,
    async run(client: pg.PoolClient) {
      if (r.media.plan) {
        const res = await client.query(explainSql(r, sql), params.values);
        const body =
          r.media.plan.format === 'json'
            ? JSON.stringify(res.rows[0]['QUERY PLAN'])
            : res.rows.map((row) => row['QUERY PLAN']).join('\n');
        return {
          reply: { status: 200, headers: { 'content-type': r.media.contentType }, body },
          rollback: r.prefs.tx === 'rollback',
        };
      }
      const res = readResult((await client.query(sql, params.values)).rows[0]);
      if (planned) {
        const estimate = await plannedCount(client, planned.sql, planned.params.values);
        res.total = r.prefs.count === 'planned' ? estimate : Math.max(res.total ?? 0, estimate);
      }
      const status = rangeStatus(lower, res.page, res.total);
      if (status === 416) throw rangeError(lower, res.total!);
      checkSingle(r.media.format, res.page);
      const headers: Record<string, string> = {
        'content-type': r.media.contentType,
        'content-range': contentRange(lower, res.page, res.total),
        'content-location': `${r.path}${r.query.size ? `?${r.query.toString()}` : ''}`,
      };
      const applied = preferenceApplied(r.prefs, 'read');
      if (applied) headers['preference-applied'] = applied;
      return { reply: { status, headers, body: res.body }, rollback: r.prefs.tx === 'rollback' };
    },
  };
}
