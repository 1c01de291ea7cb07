/** Turns parsed filters and logic trees into SQL conditions with bound values. */
import type { Condition, FieldRef, Filter } from './query-parser.ts';
import { SIMPLE_OPS } from './query-parser.ts';
import type { Params } from './sql.ts';

/** A resolved field: its SQL expression and its Postgres type (for full-text search). */
export interface ResolvedField {
  sql: string;
  type: string;
}

/** Resolves a field name (with JSON path) to SQL; throws for unknown columns. */
export type FieldResolver = (field: FieldRef) => ResolvedField;

/** Appends a JSON path to a column expression; keys are bound, array indexes are validated integers. */
export function withJsonPath(base: string, field: FieldRef, params: Params): string {
  let sql = base;
  for (const step of field.jsonPath) {
    const key = /^-?\d{1,9}$/.test(step.key) ? String(Number(step.key)) : `${params.add(step.key)}::text`;
    sql = `${sql}${step.arrow}${key}`;
  }
  return sql;
}

/** SQL for one filter. */
export function filterSql(filter: Filter, resolve: FieldResolver, params: Params): string {
  const { sql: lhs, type } = resolve(filter.field);
  const op = filter.operation;
  let cond: string;
  switch (op.op) {
    case 'in':
      cond = op.values.length === 0 ? 'false' : `${lhs} in (${op.values.map((v) => params.add(v)).join(', ')})`;
      break;
    case 'is':
      cond = `${lhs} is ${op.value === 'not_null' ? 'not null' : op.value}`;
      break;
    case 'fts':
    case 'plfts':
    case 'phfts':
    case 'wfts': {
      const fn = {
        fts: 'to_tsquery',
        plfts: 'plainto_tsquery',
        phfts: 'phraseto_tsquery',
        wfts: 'websearch_to_tsquery',
      }[op.op];
      const config = op.config === undefined ? '' : `${params.add(op.config)}::regconfig, `;
      const vector = type === 'tsvector' ? lhs : `to_tsvector(${config}${lhs})`;
      cond = `${vector} @@ ${fn}(${config}${params.add(op.value)})`;
      break;
    }
    default: {
      const sqlOp = SIMPLE_OPS[op.op];
      const likeish = op.op === 'like' || op.op === 'ilike';
      if (op.quantifier) {
        // The value is a Postgres array literal `{a,b}`; `*` stands for `%` in like patterns, as in PostgREST.
        const value = likeish ? op.value.replaceAll('*', '%') : op.value;
        const cast = likeish || op.op === 'match' || op.op === 'imatch' ? '::text[]' : '';
        cond = `${lhs} ${sqlOp} ${op.quantifier}(${params.add(value)}${cast})`;
      } else {
        const value = likeish ? op.value.replaceAll('*', '%') : op.value;
        cond = `${lhs} ${sqlOp} ${params.add(value)}`;
      }
    }
  }
  return filter.negate ? `not (${cond})` : cond;
}

/** SQL for a condition tree. */
export function conditionSql(cond: Condition, resolve: FieldResolver, params: Params): string {
  if (cond.kind === 'filter') return filterSql(cond.filter, resolve, params);
  const joiner = cond.kind === 'and' ? ' and ' : ' or ';
  const inner = cond.children.map((c) => `(${conditionSql(c, resolve, params)})`).join(joiner);
  return cond.negate ? `not (${inner})` : `(${inner})`;
}
