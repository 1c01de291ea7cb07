/** What every /auth/v1 endpoint receives and returns. */
import type pg from 'pg';
import type { ServiceRequest } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';
import type { AuthSettings } from './settings.ts';

/** One request to the Auth server with the stack pieces it may use. */
export interface AuthCall {
  req: ServiceRequest;
  pool: pg.Pool;
  keys: Keys;
  settings: AuthSettings;
  /** Path parameters (`:id`). */
  params: Record<string, string>;
}

/** A successful answer: JSON body (none for 204) and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An endpoint. Errors are thrown as AuthError/OAuthError. */
export type Endpoint = (call: AuthCall) => Promise<Reply>;
