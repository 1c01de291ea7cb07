/** Parses PostgREST's query grammar (select, filters, logic trees, order) into plain data; no SQL here. */
import { parseError } from './errors.ts';
import { Cursor, fieldRef, jsonPath, name } from './cursor.ts';
import type { FieldRef } from './field-ref.ts';

// Re-exported so the grammar's data types stay importable from one place; they live apart to keep cursor.ts out of a cycle.
export type { FieldRef, JsonStep } from './field-ref.ts';

/** One item of `select=`. */
export type SelectItem =
  | { kind: 'star' }
  | {
      kind: 'field';
      field: FieldRef;
      alias?: string;
      cast?: string;
      /** `column.sum()` and friends; `count()` alone counts rows (field `*`). */
      aggregate?: Aggregate;
      /** `column.sum()::int`: the cast applied to the aggregate's result. */
      aggregateCast?: string;
    }
  | {
      kind: 'embed';
      name: string;
      alias?: string;
      hint?: string;
      joinType?: 'inner' | 'left';
      spread: boolean;
      items: SelectItem[];
    };

/** The aggregate functions PostgREST accepts in `select`. */
export type Aggregate = 'sum' | 'avg' | 'count' | 'max' | 'min';
const AGGREGATES = new Set<string>(['sum', 'avg', 'count', 'max', 'min']);

/** Operators taking one value. */
export const SIMPLE_OPS = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
  match: '~',
  imatch: '~*',
  cs: '@>',
  cd: '<@',
  ov: '&&',
  sl: '<<',
  sr: '>>',
  nxr: '&<',
  nxl: '&>',
  adj: '-|-',
  isdistinct: 'is distinct from',
} as const;
export type SimpleOp = keyof typeof SIMPLE_OPS;
/** Operators accepting the `(any)`/`(all)` modifier. */
const QUANTIFIABLE = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch']);
const FTS_OPS = new Set(['fts', 'plfts', 'phfts', 'wfts']);
const IS_VALUES = new Set(['null', 'not_null', 'true', 'false', 'unknown']);

/** The right-hand side of a filter. */
export type Operation =
  | { op: SimpleOp; value: string; quantifier?: 'any' | 'all' }
  | { op: 'in'; values: string[] }
  | { op: 'is'; value: string }
  | { op: 'fts' | 'plfts' | 'phfts' | 'wfts'; config?: string; value: string };

/** `field=[not.]op.value`. */
export interface Filter {
  field: FieldRef;
  negate: boolean;
  operation: Operation;
}

/** A filter or an `and`/`or` group. */
export type Condition =
  | { kind: 'filter'; filter: Filter }
  | { kind: 'and' | 'or'; negate: boolean; children: Condition[] };

/** One `order=` term. */
export interface OrderTerm {
  field: FieldRef;
  /** Set when ordering by a column of a to-one embed: `order=author(name)`. */
  relation?: string;
  direction?: 'asc' | 'desc';
  nulls?: 'first' | 'last';
}

/** Parses `select=`; an empty or missing value means `*`. */
export function parseSelect(raw: string | null): SelectItem[] {
  if (raw === null || raw === '') return [{ kind: 'star' }];
  const c = new Cursor(raw, 'select parameter');
  const items = selectList(c);
  if (!c.done) throw c.fail('expecting "," or end of input');
  return items;
}

function selectList(c: Cursor): SelectItem[] {
  const items: SelectItem[] = [selectItem(c)];
  while (c.eat(',')) items.push(selectItem(c));
  return items;
}

function selectItem(c: Cursor): SelectItem {
  if (c.eat('*')) return { kind: 'star' };
  let alias: string | undefined;
  let spread = c.eat('...');
  let first = name(c);
  if (!spread && c.peek() === ':' && c.peek(1) !== ':') {
    c.pos++;
    alias = first;
    spread = c.eat('...');
    first = name(c);
  }
  // `count()` is the row count, never an embed (PostgREST refuses to embed a relation named count).
  if (!spread && first === 'count' && c.eat('()')) {
    let aggregateCast: string | undefined;
    if (c.eat('::')) aggregateCast = name(c);
    return { kind: 'field', field: { name: '*', jsonPath: [] }, alias, aggregate: 'count', aggregateCast };
  }
  if (c.peek() === '!' || c.peek() === '(') {
    let hint: string | undefined;
    let joinType: 'inner' | 'left' | undefined;
    while (c.eat('!')) {
      const word = name(c);
      if (word === 'inner' || word === 'left') joinType = word;
      else hint = word;
    }
    c.expect('(');
    const items = c.peek() === ')' ? [] : selectList(c);
    c.expect(')');
    return { kind: 'embed', name: first, alias, hint, joinType, spread, items };
  }
  if (spread) throw c.fail('expecting "(" after a spread embed');
  const field: FieldRef = { name: first, jsonPath: jsonPath(c) };
  let cast: string | undefined;
  if (c.eat('::')) cast = name(c);
  if (c.peek() !== '.') return { kind: 'field', field, alias, cast };
  c.pos++;
  const fn = name(c);
  if (!AGGREGATES.has(fn)) {
    c.pos -= fn.length;
    throw c.fail('expecting an aggregate function (sum, avg, count, max, min)');
  }
  c.expect('()');
  let aggregateCast: string | undefined;
  if (c.eat('::')) aggregateCast = name(c);
  return { kind: 'field', field, alias, cast, aggregate: fn as Aggregate, aggregateCast };
}

/** Parses the right side of a top-level filter: `[not.]op[(modifier)].value`. */
export function parseFilter(field: FieldRef, raw: string): Filter {
  const c = new Cursor(raw, 'filter');
  const negate = c.eat('not.');
  const operation = operationAt(c, false);
  return { field, negate, operation };
}

/** Parses a filter key such as `age`, `data->a->>b` or `author.name` (embed path + field). */
export function parseFilterKey(raw: string): { path: string[]; field: FieldRef } {
  const c = new Cursor(raw, 'filter');
  const parts: string[] = [];
  for (;;) {
    const n = name(c);
    if (c.eat('.')) {
      parts.push(n);
      continue;
    }
    const path = jsonPath(c);
    if (!c.done) throw c.fail('expecting end of the column name');
    return { path: parts, field: { name: n, jsonPath: path } };
  }
}

function operationAt(c: Cursor, inLogic: boolean): Operation {
  const start = c.pos;
  let op = '';
  while (!c.done && /[a-z]/.test(c.peek())) op += c.text[c.pos++];
  let modifier: string | undefined;
  if (c.eat('(')) {
    modifier = '';
    while (!c.done && c.peek() !== ')') modifier += c.text[c.pos++];
    c.expect(')');
  }
  if (!(op in SIMPLE_OPS) && op !== 'in' && op !== 'is' && !FTS_OPS.has(op)) {
    c.pos = start;
    throw c.fail(
      'expecting an operator (eq, neq, gt, gte, lt, lte, like, ilike, match, imatch, in, is, isdistinct, cs, cd, ov, sl, sr, nxr, nxl, adj, fts, plfts, phfts, wfts)',
    );
  }
  c.expect('.');
  const value = inLogic ? logicValue(c, op === 'in') : c.text.slice(c.pos);
  if (!inLogic) c.pos = c.text.length;
  if (op === 'in') {
    if (modifier !== undefined) throw c.fail('"in" takes no modifier');
    return { op: 'in', values: parseList(value, c) };
  }
  if (op === 'is') {
    const v = value.toLowerCase();
    if (!IS_VALUES.has(v) || modifier !== undefined)
      throw c.fail('expecting null, not_null, true, false or unknown after "is."');
    return { op: 'is', value: v };
  }
  if (FTS_OPS.has(op)) return { op: op as 'fts', config: modifier || undefined, value };
  if (modifier !== undefined) {
    if (!QUANTIFIABLE.has(op) || (modifier !== 'any' && modifier !== 'all'))
      throw c.fail(`"${op}" takes no "(${modifier})" modifier`);
    return { op: op as SimpleOp, value, quantifier: modifier };
  }
  return { op: op as SimpleOp, value };
}

/** `(a,"b,c",d)` → values; quoted items keep commas and parentheses, `\` escapes. */
export function parseList(raw: string, outer?: Cursor): string[] {
  const c = new Cursor(raw, outer?.what ?? 'filter');
  if (!c.eat('(')) throw (outer ?? c).fail('expecting "(" to start the list');
  const values: string[] = [];
  if (c.eat(')')) {
    if (!c.done) throw c.fail('expecting end of the list');
    return values;
  }
  for (;;) {
    if (c.peek() === '"') values.push(c.quoted());
    else {
      let v = '';
      while (!c.done && c.peek() !== ',' && c.peek() !== ')') v += c.text[c.pos++];
      values.push(v);
    }
    if (c.eat(',')) continue;
    c.expect(')');
    if (!c.done) throw c.fail('expecting end of the list');
    return values;
  }
}

/** A value inside `or=(…)`: quoted, a `(…)` list, a `{…}` array or `[…)` range, or text up to `,` or `)`. */
function logicValue(c: Cursor, isList: boolean): string {
  if (isList) {
    const start = c.pos;
    c.expect('(');
    while (!c.done && c.peek() !== ')') {
      if (c.peek() === '"') c.quoted();
      else c.pos++;
    }
    c.expect(')');
    return c.text.slice(start, c.pos);
  }
  if (c.peek() === '"') return c.quoted();
  const open = c.peek();
  if (open === '{' || open === '[' || (open === '(' && c.text.indexOf(')', c.pos) > 0)) {
    const start = c.pos;
    const closers = open === '{' ? '}' : ')]';
    while (!c.done && !closers.includes(c.peek())) {
      if (c.peek() === '"') c.quoted();
      else c.pos++;
    }
    c.pos++;
    return c.text.slice(start, c.pos);
  }
  let v = '';
  while (!c.done && c.peek() !== ',' && c.peek() !== ')') v += c.text[c.pos++];
  return v;
}

/** Parses the value of `or=`/`and=` (`(a.eq.1,and(b.gt.2,c.is.null))`) into a condition tree. */
export function parseLogic(kind: 'and' | 'or', negate: boolean, raw: string): Condition {
  const c = new Cursor(raw, 'logic tree');
  const children = logicChildren(c);
  if (!c.done) throw c.fail('expecting end of input after ")"');
  return { kind, negate, children };
}

function logicChildren(c: Cursor): Condition[] {
  c.expect('(');
  const out: Condition[] = [logicItem(c)];
  while (c.eat(',')) out.push(logicItem(c));
  c.expect(')');
  return out;
}

function logicItem(c: Cursor): Condition {
  const save = c.pos;
  const negate = c.eat('not.');
  for (const kind of ['and', 'or'] as const) {
    if (c.startsWith(`${kind}(`)) {
      c.pos += kind.length;
      return { kind, negate, children: logicChildren(c) };
    }
  }
  c.pos = save;
  const field = fieldRef(c);
  c.expect('.');
  const fnegate = c.eat('not.');
  return { kind: 'filter', filter: { field, negate: fnegate, operation: operationAt(c, true) } };
}

/** Parses `order=`. */
export function parseOrder(raw: string): OrderTerm[] {
  const c = new Cursor(raw, 'order');
  const terms: OrderTerm[] = [];
  do {
    let field = fieldRef(c);
    let relation: string | undefined;
    if (c.eat('(')) {
      relation = field.name;
      field = fieldRef(c);
      c.expect(')');
    }
    const term: OrderTerm = { field, relation };
    while (c.eat('.')) {
      const word = name(c);
      if (word === 'asc' || word === 'desc') term.direction = word;
      else if (word === 'nullsfirst') term.nulls = 'first';
      else if (word === 'nullslast') term.nulls = 'last';
      else throw c.fail('expecting asc, desc, nullsfirst or nullslast');
    }
    terms.push(term);
  } while (c.eat(','));
  if (!c.done) throw c.fail('expecting "," or end of input');
  return terms;
}

/** Parses `columns="a","b"` (or unquoted) into names. */
export function parseColumns(raw: string): string[] {
  const c = new Cursor(raw, 'columns parameter');
  const out: string[] = [];
  do out.push(name(c, true));
  while (c.eat(','));
  if (!c.done) throw c.fail('expecting "," or end of input');
  return out;
}

/** A non-negative integer query parameter (`limit`, `offset`). */
export function parseCount(raw: string, what: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw parseError(what, raw, 'expecting a non-negative integer');
  return Number(raw);
}
