/** Building replies: status, headers (Content-Range, Preference-Applied) and the body text Postgres rendered. */
import { RestError } from './errors.ts';
import type { BodyFormat } from './select-builder.ts';

/** A finished response. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** `Content-Range` as PostgREST writes it: `0-9/100`, `*\/0`, `0-9/*`. */
export function contentRange(lower: number, page: number, total: number | null): string {
  const t = total === null ? '*' : String(total);
  if (page === 0 || total === 0) return `*/${t}`;
  return `${lower}-${lower + page - 1}/${t}`;
}

/** 200, 206 (a part of a counted total) or 416 (offset past the total), as PostgREST's range status. */
export function rangeStatus(lower: number, page: number, total: number | null): number {
  if (total === null) return 200;
  if (lower > total) return 416;
  if (page < total) return 206;
  return 200;
}

/** The 416 error for an offset beyond the counted rows. */
export function rangeError(lower: number, total: number): RestError {
  return new RestError(
    416,
    'PGRST103',
    'Requested range not satisfiable',
    `An offset of ${lower} was requested, but there are only ${total} rows.`,
    null,
    {
      'content-range': `*/${total}`,
    },
  );
}

/** Enforces `single()`'s exactly-one-row rule (406 PGRST116). */
export function checkSingle(format: BodyFormat, page: number): void {
  if ((format === 'object' || format === 'object-stripped') && page !== 1) {
    throw new RestError(
      406,
      'PGRST116',
      'Cannot coerce the result to a single JSON object',
      `The result contains ${page} rows`,
      null,
    );
  }
}

/** The first row of a `total, page, body` result as numbers and text. */
export function readResult(row: { total: string | null; page: string; body: string } | undefined): {
  total: number | null;
  page: number;
  body: string;
} {
  if (!row) return { total: null, page: 0, body: '[]' };
  return { total: row.total === null ? null : Number(row.total), page: Number(row.page), body: row.body };
}
