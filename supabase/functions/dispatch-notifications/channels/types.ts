/** What every channel file shares: the outgoing request, the transport that sends it, and the `send` signature. */
import type { NotificationMessage } from '../message.ts';

/** One HTTP POST a channel wants made; `what` names the URL's setting in errors. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  what: string;
}

/** The HTTP answer, or a thrown Error for network failures and refused destinations. */
export interface TransportResponse {
  status: number;
  body: string;
}

/** Sends a request (after the destination check); throws DestinationRefused or a network Error. */
export type Transport = (request: OutgoingRequest) => Promise<TransportResponse>;

/** The outcome of one send: permanent failures are not retried. */
export type SendResult =
  | { ok: true; status: number }
  | { ok: false; error: string; permanent: boolean; code: FailureCode; status?: number };

/** Why a send failed: a refused destination, a bad channel config, an HTTP error answer, no answer, or no answer in time. */
export type FailureCode = 'destination_blocked' | 'channel_config' | 'http_error' | 'unreachable' | 'timeout';

/** A channel's config from channel_secrets (url, to, api_key, from, secret, headers …). */
export type ChannelConfig = Record<string, unknown>;

/** The one signature every channel exports. */
export type Send = (message: NotificationMessage, config: ChannelConfig, transport: Transport) => Promise<SendResult>;

/** Thrown for a configuration the channel cannot send with: permanent until an admin fixes it. */
export class ChannelConfigError extends Error {
  override name = 'ChannelConfigError';
}
