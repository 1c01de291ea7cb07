/**
 * Email through an HTTP email API (Resend, Postmark, SendGrid or Mailgun: email-providers.ts), since edge
 * runtimes cannot open SMTP ports. Config: {"to": [...], "from", "api_key", "provider"?, "region"?, "domain"?, "api_url"?}.
 */
import { alertDetail, alertTitle, messageTitle, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import { emailProviderRequest, parseAddress, type Mail } from './email-providers.ts';
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest, type Send } from './types.ts';

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

/** The mail for a message (pure); each provider shapes it its own way. */
export function emailPayload(m: NotificationMessage, to: string[], from: string): Mail {
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

/** A request to the channel's email API (provider, sender and key from its config) for a mail built from the sender. */
export function emailApiRequest(
  config: ChannelConfig,
  idempotencyKey: string,
  mail: (from: string) => Mail,
): OutgoingRequest {
  const from = requireString(
    config,
    'from',
    'set "from" to a sender your email provider accepts, e.g. "Vibe <alerts@example.com>"',
  );
  if (!parseAddress(from))
    throw new ChannelConfigError(
      `Channel secrets "from" must be an address or "Name <address>", not ${JSON.stringify(from)}`,
    );
  return emailProviderRequest(config, mail(from), idempotencyKey);
}

/** The HTTP request for an email channel. */
export function emailRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const to = recipients(config);
  return emailApiRequest(config, m.idempotencyKey, (from) => emailPayload(m, to, from));
}

/** Sends through the email API. */
export const send: Send = (m, config, transport) => deliver(() => emailRequest(m, config), transport);
