/** PostgREST-shaped errors: `{code, message, details, hint}` plus the HTTP status PostgREST would use. */
import type { DatabaseError } from 'pg';
import { fuzzyBest, levenshtein } from './fuzzy.ts';

/** An error that becomes a PostgREST error response. */
export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly hint: string | null;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    details: unknown = null,
    hint: string | null = null,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RestError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.hint = hint;
    this.headers = headers;
  }

  /** A 400 with a PGRST code. */
  static badRequest(code: string, message: string, hint: string | null = null, details: unknown = null): RestError {
    return new RestError(400, code, message, details, hint);
  }

  /** The JSON body PostgREST sends. */
  body(): { code: string; details: unknown; hint: string | null; message: string } {
    return { code: this.code, details: this.details, hint: this.hint, message: this.message };
  }
}

/** An error caused by a name the schema cache lacks; the request is planned again after a cache reload. */
export class CacheMissError extends RestError {}

/** PGRST100: a query parameter that does not parse, worded as PostgREST's parser errors (position in the message). */
export function parseError(what: string, raw: string, details: string, column?: number): RestError {
  const where = column === undefined ? '' : ` (line 1, column ${column})`;
  return new RestError(400, 'PGRST100', `"failed to parse ${what} (${raw})"${where}`, details, null);
}

/** PGRST205: the table or view is not in the schema cache; the hint names the closest table, as PostgREST's. */
export function tableNotFound(schema: string, name: string, tables: string[] = []): RestError {
  const close = fuzzyBest(name, tables, 0.75);
  return new CacheMissError(
    404,
    'PGRST205',
    `Could not find the table '${schema}.${name}' in the schema cache`,
    null,
    close ? `Perhaps you meant the table '${schema}.${close}'` : null,
  );
}

/**
 * 42703 as Postgres words it for PostgREST's query: the relation is named by the alias PostgREST gives it (the table
 * at the root, `<table>_<depth>` inside embeds), with Postgres's "Perhaps you meant" hint for a close column.
 */
export function columnNotFound(alias: string, column: string, columns: string[] = []): RestError {
  const close = closeColumn(column, columns);
  return new CacheMissError(
    400,
    '42703',
    `column ${alias}.${column} does not exist`,
    null,
    close ? `Perhaps you meant to reference the column "${alias}.${close}".` : null,
  );
}

/** Postgres's fuzzy column match: the nearest name within 3 edits and within half the name's length. */
function closeColumn(column: string, columns: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of columns) {
    const d = levenshtein(column, c);
    if (d < bestDistance && d <= 3 && d <= Math.max(1, Math.floor(column.length / 2))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** PGRST204: a column named in a request body or `columns=` that the table lacks. */
export function bodyColumnNotFound(table: string, column: string): RestError {
  return new CacheMissError(
    400,
    'PGRST204',
    `Could not find the '${column}' column of '${table}' in the schema cache`,
    null,
    null,
  );
}

const NOT_UPDATABLE_VIEW = /^cannot (insert into|update|delete from|merge into) view "/;

/** Maps a SQLSTATE to PostgREST's HTTP status (`mapSQLtoHTTP`), except that writes to non-updatable views are 405. */
export function statusForSqlState(code: string, message: string, anonymous: boolean): number {
  if (code === '42501') return anonymous ? 401 : 403;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  // A write to a view Postgres cannot update (aggregates, joins, no INSTEAD OF trigger): PostgREST answers 500 (class 55),
  // but the request, not the server, is at fault and the relation does not allow the method: 405, as OPTIONS would say.
  if (code === '55000' && NOT_UPDATABLE_VIEW.test(message)) return 405;
  if (code === '21000') return /requires a WHERE clause/.test(message) ? 400 : 500;
  if (code === '22023') return /role .* does not exist/.test(message) ? 401 : 400;
  if (code === 'P0001') return 400;
  if (code === '42883') return 404;
  if (code === '42P01') return 404;
  if (code === '42P17') return 500;
  if (/^PT\d\d\d$/.test(code)) return Number(code.slice(2));
  const two = code.slice(0, 2);
  if (two === '08') return 503;
  if (two === '0L' || two === '0P' || two === '28') return 403;
  if (['09', '25', '2D', '38', '39', '3B', '40', '54', '55', '58', 'F0', 'HV', 'XX', 'P0'].includes(two)) return 500;
  if (code === '53400') return 500;
  if (two === '53') return 503;
  if (code === '57P01') return 503;
  if (two === '57') return 500;
  return 400;
}

/** Turns a Postgres error into the PostgREST error response. */
export function fromDatabaseError(err: DatabaseError, anonymous: boolean): RestError {
  const code = err.code ?? 'XX000';
  const status = statusForSqlState(code, err.message, anonymous);
  const headers: Record<string, string> = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return new RestError(status, code, err.message, err.detail ?? null, err.hint ?? null, headers);
}

/** True for errors thrown by the Postgres server (they carry a SQLSTATE). */
export function isDatabaseError(err: unknown): err is DatabaseError {
  return err instanceof Error && typeof (err as DatabaseError).code === 'string' && 'severity' in err;
}
