/** postgres_changes binding parameters: parsing `{event, schema, table, filter, select}` and testing rows against filters. */

export type Action = '*' | 'INSERT' | 'UPDATE' | 'DELETE';

export const FILTER_OPS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Filter {
  column: string;
  op: FilterOp;
  /** The value as text; for `in`, the list items. */
  value: string;
  list?: string[];
  negate: boolean;
}

export interface SubscriptionParams {
  action: Action;
  schema: string;
  table: string;
  filters: Filter[];
  select: string[] | null;
}

/** Parses one binding as Realtime does; returns the error message Realtime would push otherwise. */
export function parseSubscriptionParams(params: Record<string, unknown>): SubscriptionParams | { error: string } {
  const ev = typeof params.event === 'string' ? params.event.toUpperCase() : '*';
  const action: Action = ev === 'INSERT' || ev === 'UPDATE' || ev === 'DELETE' ? ev : '*';
  let select: string[] | null = null;
  if (typeof params.select === 'string') {
    return {
      error: 'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
    };
  }
  if (Array.isArray(params.select)) {
    const cols = params.select.filter((c): c is string => typeof c === 'string');
    select = cols.length ? cols : null;
  }
  const has = (k: string) => params[k] !== undefined && params[k] !== null;
  let schema: string;
  let table: string;
  let filters: Filter[] = [];
  if (typeof params.schema === 'string' && typeof params.table === 'string' && typeof params.filter === 'string') {
    const parsed = parseFilters(params.filter);
    if (typeof parsed === 'string') return { error: `Error parsing \`filter\` params: ${parsed}` };
    [schema, table, filters] = [params.schema, params.table, parsed];
  } else if (typeof params.schema === 'string' && typeof params.table === 'string' && !has('filter')) {
    [schema, table] = [params.schema, params.table];
  } else if (typeof params.schema === 'string' && !has('table') && !has('filter')) {
    [schema, table] = [params.schema, '*'];
  } else if (typeof params.table === 'string' && !has('schema') && !has('filter')) {
    [schema, table] = ['public', params.table];
  } else {
    return {
      error: `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${JSON.stringify(params)}`,
    };
  }
  if (select && (schema === '*' || table === '*')) {
    return {
      error: 'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
    };
  }
  return { action, schema, table, filters, select };
}

/** Splits `a=eq.1,b=in.(x,"y,z")` on top-level commas and parses each condition; returns an error text on failure. */
export function parseFilters(filter: string): Filter[] | string {
  const trimmed = filter.trim();
  if (trimmed === '') return [];
  const out: Filter[] = [];
  for (const segment of splitTopLevel(trimmed)) {
    const seg = segment.trim();
    if (seg === '') return 'filter must not contain empty segments (check for extra commas)';
    const eq = seg.indexOf('=');
    if (eq < 0) return JSON.stringify([seg]);
    const column = seg.slice(0, eq);
    let rest = seg.slice(eq + 1);
    let negate = false;
    if (rest.startsWith('not.')) {
      negate = true;
      rest = rest.slice(4);
    }
    const dot = rest.indexOf('.');
    if (dot < 0) return JSON.stringify([rest]);
    const op = rest.slice(0, dot);
    const value = rest.slice(dot + 1);
    if (!(FILTER_OPS as readonly string[]).includes(op)) return JSON.stringify([op, value]);
    if (op === 'in') {
      if (!(value.length >= 2 && value.startsWith('(') && value.endsWith(')')))
        return '`in` filter value must be wrapped by parentheses';
      out.push({ column, op, value, list: splitTopLevel(value.slice(1, -1)).map((v) => unquote(v.trim())), negate });
    } else {
      out.push({ column, op: op as FilterOp, value: unquote(value), negate });
    }
  }
  return out;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  let prev = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < s.length) {
        cur += ch + s[++i];
        continue;
      }
      if (ch === '"') quoted = false;
      cur += ch;
    } else if (ch === '"' && (prev === '' || prev === '.' || prev === '(' || prev === ',')) {
      quoted = true;
      cur += ch;
    } else if (ch === '(') {
      depth++;
      cur += ch;
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
      cur += ch;
    } else if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
      prev = '';
      continue;
    } else {
      cur += ch;
    }
    prev = ch;
  }
  parts.push(cur);
  return parts;
}

function unquote(v: string): string {
  if (!v.startsWith('"') || !v.endsWith('"') || v.length < 2) return v;
  let out = '';
  for (let i = 1; i < v.length - 1; i++) {
    if (v[i] === '\\' && i + 1 < v.length - 1) i++;
    else if (v[i] === '"') return v;
    out += v[i];
  }
  return out;
}

/** How a column's text compares: as a number, a boolean, a point in time, or a string. */
export type CompareKind = 'number' | 'bool' | 'time' | 'text';

/** The comparison kind for a Postgres type name (pg_type.typname). */
export function compareKind(typname: string): CompareKind {
  if (/^(int[248]|float[48]|numeric|oid|money)$/.test(typname)) return 'number';
  if (typname === 'bool') return 'bool';
  if (/^(timestamp|timestamptz|date)$/.test(typname)) return 'time';
  return 'text';
}

function normalise(kind: CompareKind, text: string): number | string | boolean {
  switch (kind) {
    case 'number':
      return Number(text.replace(/[$,]/g, ''));
    case 'bool':
      return /^(t|true|y|yes|on|1)$/i.test(text.trim());
    case 'time': {
      const ms = Date.parse(
        text.includes('T') || !text.includes(' ') ? text : text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'),
      );
      return Number.isNaN(ms) ? text : ms;
    }
    default:
      return text;
  }
}

function likeToRegExp(pattern: string, flags: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, flags + 's');
}

function safeRegExp(pattern: string, flags: string): RegExp | null {
  try {
    return new RegExp(pattern, flags);
  } catch {
    return null;
  }
}

/** Tests one condition against a column's text value (null = SQL NULL); SQL NULL semantics make it false. */
export function testFilter(f: Filter, text: string | null, kind: CompareKind): boolean {
  if (f.op === 'is') {
    const v = f.value.toLowerCase();
    let r: boolean;
    if (v === 'null') r = text === null;
    else if (v === 'true' || v === 'false') r = text !== null && normalise('bool', text) === (v === 'true');
    else if (v === 'unknown') r = text === null;
    else return false;
    return f.negate ? !r : r;
  }
  if (f.op === 'isdistinct') {
    const r = text === null ? f.value.toLowerCase() !== 'null' : normalise(kind, text) !== normalise(kind, f.value);
    return f.negate ? !r : r;
  }
  if (text === null) return false;
  const a = normalise(kind, text);
  let r: boolean;
  switch (f.op) {
    case 'eq':
      r = a === normalise(kind, f.value);
      break;
    case 'neq':
      r = a !== normalise(kind, f.value);
      break;
    case 'lt':
      r = a < normalise(kind, f.value);
      break;
    case 'lte':
      r = a <= normalise(kind, f.value);
      break;
    case 'gt':
      r = a > normalise(kind, f.value);
      break;
    case 'gte':
      r = a >= normalise(kind, f.value);
      break;
    case 'in':
      r = (f.list ?? []).some((v) => normalise(kind, v) === a);
      break;
    case 'like':
      r = likeToRegExp(f.value, '').test(text);
      break;
    case 'ilike':
      r = likeToRegExp(f.value, 'i').test(text);
      break;
    case 'match':
      r = safeRegExp(f.value, '')?.test(text) ?? false;
      break;
    case 'imatch':
      r = safeRegExp(f.value, 'i')?.test(text) ?? false;
      break;
  }
  return f.negate ? !r : r;
}
