/**
 * Email through an HTTP email API (Resend-compatible: POST /emails with a Bearer key), since edge
 * runtimes cannot open SMTP ports. Config: {"to": [...], "from", "api_key", "api_url"?}.
 */
import { alertDetail, alertTitle, messageTitle, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest, type Send } from './types.ts';

/** Resend's endpoint; any compatible API can be set as "api_url". */
export const DEFAULT_EMAIL_API_URL = 'https://api.resend.com/emails';

/** Escapes text for HTML bodies. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Plain-text body. */
export function emailText(m: NotificationMessage): string {
  if (m.type === 'test')
    return `${messageTitle(m)}\n\nNotifications from OpenManager Vibe reach this address.\n\n${m.dashboardUrl}\n`;
  const blocks = m.alerts.map((a) =>
    [alertTitle(a), alertDetail(a), a.reason ?? '', a.hostUrl ?? '', a.occurredAt].filter(Boolean).join('\n'),
  );
  return `${blocks.join('\n\n')}\n\nOpenManager Vibe: ${m.dashboardUrl}\n`;
}

/** HTML body (every value escaped). */
export function emailHtml(m: NotificationMessage): string {
  const items =
    m.type === 'test'
      ? ['<p>Notifications from OpenManager Vibe reach this address.</p>']
      : m.alerts.map((a) => {
          const title = escapeHtml(alertTitle(a));
          const head = a.hostUrl ? `<a href="${escapeHtml(a.hostUrl)}">${title}</a>` : title;
          const reason = a.reason ? `<br>${escapeHtml(a.reason)}` : '';
          return `<p><strong>${head}</strong><br>${escapeHtml(alertDetail(a))}${reason}<br><small>${escapeHtml(a.occurredAt)}</small></p>`;
        });
  return `<h2>${escapeHtml(messageTitle(m))}</h2>${items.join('')}<p><a href="${escapeHtml(m.dashboardUrl)}">Open the dashboard</a></p>`;
}

/** The Resend-compatible JSON body (pure). */
export function emailPayload(m: NotificationMessage, to: string[], from: string): Record<string, unknown> {
  return {
    from,
    to,
    subject: `[OpenManager Vibe] ${messageTitle(m)}`.slice(0, 250),
    text: emailText(m),
    html: emailHtml(m),
  };
}

function recipients(config: ChannelConfig): string[] {
  const raw = config.to;
  const list = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
    .map((x) => String(x).trim())
    .filter(Boolean);
  if (list.length === 0 || list.length > 50 || !list.every((x) => /^[^\s@<>]+@[^\s@<>]+$/.test(x))) {
    throw new ChannelConfigError(
      'Channel secrets need "to": a list of 1–50 email addresses, e.g. {"to": ["ops@example.com"]}',
    );
  }
  return list;
}

/** A request to the channel's email API (sender, key and URL from its config) for a body built from the sender. */
export function emailApiRequest(
  config: ChannelConfig,
  idempotencyKey: string,
  body: (from: string) => Record<string, unknown>,
): OutgoingRequest {
  const from = requireString(
    config,
    'from',
    'set "from" to a sender your email API accepts, e.g. "Vibe <alerts@example.com>"',
  );
  const apiKey = requireString(config, 'api_key', 'set "api_key" to the email API key (Resend: re_…)');
  const url =
    typeof config.api_url === 'string' && config.api_url.trim() ? config.api_url.trim() : DEFAULT_EMAIL_API_URL;
  return {
    url,
    what: 'Email API',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${apiKey}`,
      'Idempotency-Key': idempotencyKey,
    },
    body: JSON.stringify(body(from)),
  };
}

/** The HTTP request for an email channel. */
export function emailRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const to = recipients(config);
  return emailApiRequest(config, m.idempotencyKey, (from) => emailPayload(m, to, from));
}

/** Sends through the email API. */
export const send: Send = (m, config, transport) => deliver(() => emailRequest(m, config), transport);
