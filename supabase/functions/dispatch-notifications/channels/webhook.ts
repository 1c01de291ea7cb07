/**
 * Generic webhook: JSON body, `Idempotency-Key`, and when a secret is set an HMAC-SHA256 signature
 * `X-Vibe-Signature: sha256=<hex>` over `<X-Vibe-Timestamp>.<body>` (verify both, reject old timestamps).
 * Config: {"url", "secret"?, "headers"?: {name: value}}.
 */
import { hmacSha256Hex } from '../../_shared/hmac.ts';
import { messageTitle, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest, type Send } from './types.ts';

/** The signature header name and the timestamp header it covers. */
export const SIGNATURE_HEADER = 'X-Vibe-Signature';
export const TIMESTAMP_HEADER = 'X-Vibe-Timestamp';
const RESERVED = /^(content-type|content-length|host|idempotency-key|x-vibe-.*)$/i;

/** The webhook JSON body (pure). */
export function webhookPayload(m: NotificationMessage): Record<string, unknown> {
  return {
    version: 1,
    type: m.type,
    idempotency_key: m.idempotencyKey,
    title: messageTitle(m),
    team_id: m.teamId,
    channel: { id: m.channel.id, name: m.channel.name },
    created_at: m.createdAt,
    alerts: m.alerts.map((a) => ({
      event_id: a.eventId,
      status: a.kind,
      severity: a.severity,
      rule: a.ruleName,
      metric: a.metric,
      value: a.value,
      threshold: a.threshold,
      expected: a.expected,
      band_low: a.bandLow,
      band_high: a.bandHigh,
      score: a.score,
      reason: a.reason,
      host: { id: a.hostId, name: a.hostName, url: a.hostUrl },
      ...(a.series !== null ? { series: a.series } : {}),
      occurred_at: a.occurredAt,
    })),
  };
}

/** `sha256=<hex>` over `<timestamp>.<body>`: what receivers recompute to verify a delivery. */
export async function webhookSignature(secret: string, timestamp: string, body: string): Promise<string> {
  return `sha256=${await hmacSha256Hex(secret, `${timestamp}.${body}`)}`;
}

function extraHeaders(config: ChannelConfig): Record<string, string> {
  const raw = config.headers;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ChannelConfigError('Channel secrets "headers" must be an object of header names to string values');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(k) || typeof v !== 'string' || RESERVED.test(k)) {
      throw new ChannelConfigError(
        `Channel secrets header "${k}" is not allowed: use a custom name with a string value`,
      );
    }
    out[k] = v;
  }
  return out;
}

/** The HTTP request for a webhook channel; `now` fixes the timestamp for tests. */
export async function webhookRequest(
  m: NotificationMessage,
  config: ChannelConfig,
  now = new Date(),
): Promise<OutgoingRequest> {
  const url = requireString(config, 'url', 'set {"url": "https://…", "secret": "…"}');
  const body = JSON.stringify(webhookPayload(m));
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const headers: Record<string, string> = {
    ...extraHeaders(config),
    'Content-Type': 'application/json',
    'Idempotency-Key': m.idempotencyKey,
    [TIMESTAMP_HEADER]: timestamp,
  };
  if (typeof config.secret === 'string' && config.secret !== '')
    headers[SIGNATURE_HEADER] = await webhookSignature(config.secret, timestamp, body);
  return { url, what: 'Webhook', headers, body };
}

/** Sends to a generic webhook. */
export const send: Send = (m, config, transport) => deliver(() => webhookRequest(m, config), transport);
