/** Request bodies: JSON parsing with PostgREST's PGRST102 errors, and column lists checked against the table. */
import type { Table } from './catalog.ts';
import { bodyColumnNotFound, RestError } from './errors.ts';
import { parseColumns } from './query-parser.ts';

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

function invalid(message: string): RestError {
  return new RestError(400, 'PGRST102', message, null, null);
}

// A number past double range parses to Infinity, which JSON.stringify turns into null on its way to Postgres:
// the row would be stored with a null instead of refused as PostgREST (which passes the literal to Postgres) does.
// Only bodies with a long exponent or digit run are re-parsed to look for one, so ordinary bodies pay nothing.
const MAYBE_HUGE_NUMBER = /\d[eE]\+?\d{3}|\d{309}/;

function refuseNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('non-finite number');
  return value;
}

/** Parses the body as JSON; an empty body becomes `empty`. */
export function parseJsonBody(body: Buffer, empty: unknown): unknown {
  if (body.length === 0) return empty;
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('Empty or invalid json');
  }
  if (MAYBE_HUGE_NUMBER.test(text)) {
    try {
      JSON.parse(text, refuseNonFinite);
    } catch {
      throw new RestError(
        400,
        '22003',
        'A number in the body is out of range: it is larger than a double precision value can hold',
        null,
        null,
      );
    }
  }
  return value;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rows of an insert: one object or an array of objects. */
export function payloadRows(payload: unknown): JsonObject[] {
  const rows = Array.isArray(payload) ? payload : [payload];
  if (!rows.every(isObject)) throw invalid('Empty or invalid json');
  return rows;
}

/** A single object (update bodies). */
export function payloadObject(payload: unknown): JsonObject {
  if (!isObject(payload)) throw invalid('Empty or invalid json');
  return payload;
}

/** The columns a write touches: `columns=` when given, else the first object's keys (all objects must share them). */
export function payloadColumns(table: Table, rows: JsonObject[], columnsParam: string | null): string[] {
  let columns: string[];
  if (columnsParam !== null) columns = [...new Set(parseColumns(columnsParam))];
  else {
    columns = Object.keys(rows[0] ?? {});
    const key = [...columns].sort().join('\u0001');
    if (rows.some((r) => Object.keys(r).sort().join('\u0001') !== key)) throw invalid('All object keys must match');
  }
  for (const c of columns) if (!table.columns.has(c)) throw bodyColumnNotFound(table.name, c);
  return columns;
}
