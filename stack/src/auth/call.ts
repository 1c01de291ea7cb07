/** What every /auth/v1 endpoint receives and returns. */
import type pg from 'pg';
import type { ServiceRequest } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { AddressLimits } from './rate-limit.ts';
import type { AuthSettings } from './settings.ts';

/** A message the Auth server would email: the local stack has no mailer, so it goes to an outbox. */
export interface OutgoingMail {
  to: string;
  /** GoTrue's email action: which address of an email change this code confirms. */
  kind: 'email_change_current' | 'email_change_new';
  /** The code to type (`verifyOtp({ email, token })`). */
  otp: string;
  /** The link's token (`verifyOtp({ token_hash })`). */
  tokenHash: string;
}

/** Where outgoing mail goes (the stack log by default; tests capture it). */
export type Outbox = (mail: OutgoingMail) => void;

/** One request to the Auth server with the stack pieces it may use. */
export interface AuthCall {
  req: ServiceRequest;
  pool: pg.Pool;
  keys: Keys;
  settings: AuthSettings;
  /** Path parameters (`:id`). */
  params: Record<string, string>;
  /** The client's address, the key of the per-address limits. */
  address: string;
  limits: AddressLimits;
  throttle: LoginThrottle;
  outbox: Outbox;
}

/** A successful answer: JSON body (none for 204) and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An endpoint. Errors are thrown as AuthError/OAuthError. */
export type Endpoint = (call: AuthCall) => Promise<Reply>;
