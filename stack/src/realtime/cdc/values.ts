/** Turns column text from the WAL into the typed JSON hosted Realtime sends (`to_jsonb(value::type)`). */

/** What we know about a column type (from pg_type). */
export interface TypeInfo {
  oid: number;
  /** pg_type.typname, reported in `columns[].type` (e.g. `int8`, `timestamptz`, `_text`). */
  typname: string;
  /** pg_type.typcategory. */
  category: string;
  /** format_type(oid, null): a cast target that works in SQL. */
  sqlType: string;
}

/** Returned when only Postgres can render the value faithfully (arrays, composites, ranges…). */
export const NEEDS_SQL: unique symbol = Symbol('needs-sql');

const NUMERIC = new Set(['int2', 'int4', 'int8', 'oid', 'float4', 'float8', 'numeric']);
const AS_TEXT = new Set([
  'text',
  'varchar',
  'bpchar',
  'name',
  'uuid',
  'date',
  'time',
  'interval',
  'bytea',
  'citext',
  'inet',
  'cidr',
  'macaddr',
  'xml',
  'char',
  'bit',
  'varbit',
  'money',
  'tsvector',
]);

/** `2025-01-01 10:00:00+05` → `2025-01-01T10:00:00+05:00`, as to_jsonb renders timestamps. */
function isoTimestamp(text: string, withZone: boolean): string {
  if (!/^\d{4,}-\d\d-\d\d \d/.test(text)) return text; // infinity, BC dates: as Postgres wrote them
  let s = text.replace(' ', 'T');
  if (withZone) s = s.replace(/([+-]\d\d)$/, '$1:00');
  return s;
}

/** Converts one non-null text value; NEEDS_SQL when JavaScript cannot match Postgres exactly. */
export function textToJson(text: string, type: TypeInfo): unknown {
  const t = type.typname;
  if (t === 'bool') return text === 't' || text === 'true';
  if (NUMERIC.has(t)) {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (t === 'json' || t === 'jsonb') {
    try {
      return JSON.parse(text);
    } catch {
      return NEEDS_SQL;
    }
  }
  if (t === 'timestamp') return isoTimestamp(text, false);
  if (t === 'timestamptz') return isoTimestamp(text, true);
  if (AS_TEXT.has(t) || type.category === 'E' || type.category === 'S') return text;
  return NEEDS_SQL;
}
