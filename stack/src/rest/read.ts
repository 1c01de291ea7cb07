/** GET/HEAD on a table or view: the read tree rendered to JSON (or CSV) by Postgres, with counts and ranges. */
import type pg from 'pg';
import type { Table } from './catalog.ts';
import type { Prepared, RestRequest } from './context.ts';
import { preferenceApplied } from './prefer.ts';
import { parseSelect } from './query-parser.ts';
import { applyQueryParams, planSelect } from './read-plan.ts';
import { checkSingle, contentRange, rangeError, rangeStatus, readResult } from './response.ts';
import { nodeSql, tableSql, wrapBody } from './select-builder.ts';
import { Params } from './sql.ts';

/** Plans a read of `table`. */
export function planRead(r: RestRequest, table: Table): Prepared {
  const node = planSelect(r.cache, table, parseSelect(r.query.get('select')));
  applyQueryParams(node, r.query);
  const params = new Params();
  const from = tableSql(table);
  const rowsSql = nodeSql(node, from, params, [], 'rows');
  const countSql = r.prefs.count
    ? `(select count(*) from (${nodeSql(node, from, params, [], 'count')}) as pgrst_c)`
    : null;
  const sql = wrapBody([], rowsSql, countSql, r.media.format);
  const lower = node.offset ?? 0;
  return {
    readOnly: true,
    async run(client: pg.PoolClient) {
      const res = readResult((await client.query(sql, params.values)).rows[0]);
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
