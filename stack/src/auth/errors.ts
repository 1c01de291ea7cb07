/** GoTrue's error replies: `{code, message}` for API version 2024-01-01, the legacy `{code, error_code, msg}` otherwise. */
import type { ServerResponse } from 'node:http';
import { header, sendJson, type ServiceRequest } from '../gateway/http.ts';

const API_VERSION_HEADER = 'x-supabase-api-version';
const API_VERSION_2024 = Date.UTC(2024, 0, 1);

/** A refusal with GoTrue's HTTP status, error code and message. */
export class AuthError extends Error {
  readonly status: number;
  readonly code: string;
  /** `weak_password.reasons` for 422 weak_password. */
  readonly reasons: string[] | undefined;
  /** Extra response headers, e.g. `Retry-After` on a 429. */
  readonly headers: Record<string, string> = {};
  constructor(status: number, code: string, message: string, reasons?: string[]) {
    super(message);
    this.name = 'AuthError';
    this.status = status;
    this.code = code;
    this.reasons = reasons;
  }
}

/** An OAuth-style refusal (`{error, error_description}`, always 400), as GoTrue's token endpoint sends for a missing refresh token. */
export class OAuthError extends Error {
  readonly error: string;
  constructor(error: string, description: string) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
  }
}

/** The API version the client asked for: 2024-01-01 or later gets the new error body, anything else the legacy one. */
export function wantsApiVersion2024(req: ServiceRequest): boolean {
  const raw = header(req.headers, API_VERSION_HEADER);
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const t = Date.parse(`${raw}T00:00:00Z`);
  return Number.isFinite(t) && t >= API_VERSION_2024;
}

/** Writes an AuthError/OAuthError (anything else becomes 500 unexpected_failure) the way GoTrue does. */
export function sendAuthError(req: ServiceRequest, res: ServerResponse, err: unknown): void {
  if (err instanceof OAuthError) {
    sendJson(res, 400, { error: err.error, error_description: err.message });
    return;
  }
  const e =
    err instanceof AuthError
      ? err
      : new AuthError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
  const v2024 = wantsApiVersion2024(req);
  const headers: Record<string, string> = { ...e.headers, 'x-sb-error-code': e.code };
  let body: Record<string, unknown>;
  if (v2024) {
    headers[API_VERSION_HEADER] = '2024-01-01';
    body = { code: e.code, message: e.message };
  } else {
    body = { code: e.status, error_code: e.code, msg: e.message };
  }
  if (e.reasons) body.weak_password = { reasons: e.reasons };
  sendJson(res, e.status, body, headers);
}

/** 400 validation_failed, GoTrue's answer to a malformed field. */
export function validationFailed(message: string): AuthError {
  return new AuthError(400, 'validation_failed', message);
}

/**
 * 429 over_request_rate_limit, GoTrue's answer when a per-address limit is reached. GoTrue sends no
 * Retry-After; the local server adds one (whole seconds until the bucket has a token again) so clients
 * know when to come back.
 */
export function overRequestRateLimit(retryAfterSeconds: number): AuthError {
  const err = new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
  err.headers['retry-after'] = String(retryAfterSeconds);
  return err;
}
