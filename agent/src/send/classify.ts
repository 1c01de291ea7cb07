/** Sorts a failed insert into what to do next. */

/** What the server (or the network) said about one insert. */
export interface InsertError {
  /** HTTP status; 0 when no response arrived. */
  status: number;
  code: string | null;
  message: string;
}

/**
 * - `retry`: the network, the gateway or the server is having trouble (no response, 408, 425, 429, 5xx); try again later, forever.
 * - `reauth`: the request went out without a valid user token (401); get a session, then retry.
 * - `reject`: the server refused these rows (RLS 42501 → 403, a constraint → 400/409); retrying the same rows cannot help.
 */
export type ErrorKind = 'retry' | 'reauth' | 'reject';

/** Classifies an insert error. */
export function classifyError(e: InsertError): ErrorKind {
  if (e.status === 0 || e.status === 408 || e.status === 425 || e.status === 429 || e.status >= 500) return 'retry';
  if (e.status === 401) return 'reauth';
  return 'reject';
}

/** One line for the log: the server's message with its code. */
export function describeError(e: InsertError): string {
  return `${e.status ? `HTTP ${e.status}` : 'no response'}${e.code ? ` ${e.code}` : ''}: ${e.message}`;
}
