/** What every /auth/v1 endpoint receives and returns. */
import type pg from 'pg';
import type { ServiceRequest } from '../gateway/http.ts';
import type { Keys } from '../keys.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { AddressLimits } from './rate-limit.ts';
import type { AuthSettings } from './settings.ts';

import type { EmailLimit, MailRequest, OutgoingMail } from './mailer.ts';

export type { MailRequest, OutgoingMail } from './mailer.ts';

/** Where composed mail goes (the local mailbox with `npm run stack`; tests capture it). */
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
  /** Composes and sends a mail; call it once the transaction that stored its token has committed. */
  outbox: (mail: MailRequest) => void;
  /** GoTrue's global email limit (`email_sent`): take before storing a token whose mail will be sent. */
  emailLimit: EmailLimit;
}

/** A successful answer: JSON body (none for 204) and extra headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An endpoint. Errors are thrown as AuthError/OAuthError. */
export type Endpoint = (call: AuthCall) => Promise<Reply>;
