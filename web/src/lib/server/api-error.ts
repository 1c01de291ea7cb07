/** API errors as values: `{ error: { code, message } }` bodies whose message says what to fix. */

/** An error that becomes a JSON response with its status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** The JSON response for an error; anything but an ApiError is a 500 that hides internals. */
export function errorResponse(err: unknown, headers: Record<string, string> = {}): Response {
  const e =
    err instanceof ApiError
      ? err
      : new ApiError(
          500,
          'internal_error',
          'The server failed to answer: try again, and check the web server log if it persists',
        );
  if (!(err instanceof ApiError)) console.error('API request failed:', err);
  return new Response(JSON.stringify({ error: { code: e.code, message: e.message } }), {
    status: e.status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** An ApiError for a failed Supabase query, naming what was being read. */
export function queryError(what: string, error: { message: string; code?: string }): ApiError {
  return new ApiError(
    502,
    'upstream_error',
    `Cannot read ${what} from Supabase: ${error.message}${error.code ? ` (${error.code})` : ''}`,
  );
}
