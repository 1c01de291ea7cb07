/**
 * The HTTP email APIs an email channel can send through (edge runtimes cannot open SMTP ports): each turns one
 * mail into the provider's exact request. Pure. Config: {"provider": "resend" | "postmark" | "sendgrid" |
 * "mailgun", "region"?: "us" | "eu", "api_key", "domain"? (Mailgun), "message_stream"? (Postmark)}.
 */
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest } from './types.ts';

/** One mail, provider-neutral. */
export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** The providers, in the order the form lists them. */
export const EMAIL_PROVIDERS = ['resend', 'postmark', 'sendgrid', 'mailgun'] as const;
export type EmailProvider = (typeof EMAIL_PROVIDERS)[number];

/** Each provider's API origin per region (Resend and Postmark have one). */
export const EMAIL_API_ORIGINS: Readonly<Record<EmailProvider, { us: string; eu?: string }>> = Object.freeze({
  resend: { us: 'https://api.resend.com' },
  postmark: { us: 'https://api.postmarkapp.com' },
  sendgrid: { us: 'https://api.sendgrid.com', eu: 'https://api.eu.sendgrid.com' },
  mailgun: { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' },
});

/** "Vibe <alerts@example.com>" → {name: "Vibe", email: "alerts@example.com"}; a bare address has no name. */
export function parseAddress(from: string): { email: string; name?: string } | null {
  const m = /^\s*(?:"?([^"<>]*?)"?\s*<([^\s@<>]+@[^\s@<>]+)>|([^\s@<>]+@[^\s@<>]+))\s*$/.exec(from);
  if (!m) return null;
  const email = (m[2] ?? m[3])!;
  const name = m[1]?.trim();
  return name ? { email, name } : { email };
}

/** The configured provider (default resend, the original Resend-compatible behaviour). */
export function emailProvider(config: ChannelConfig): EmailProvider {
  const p = config.provider ?? 'resend';
  if (typeof p !== 'string' || !(EMAIL_PROVIDERS as readonly string[]).includes(p)) {
    throw new ChannelConfigError(
      `Channel secrets "provider" must be one of ${EMAIL_PROVIDERS.join(', ')}, not ${JSON.stringify(p)}`,
    );
  }
  return p as EmailProvider;
}

function origin(provider: EmailProvider, config: ChannelConfig): string {
  const region = config.region ?? 'us';
  if (region !== 'us' && region !== 'eu')
    throw new ChannelConfigError(`Channel secrets "region" must be "us" or "eu", not ${JSON.stringify(region)}`);
  const origins = EMAIL_API_ORIGINS[provider];
  if (region === 'eu' && !origins.eu)
    throw new ChannelConfigError(
      `${provider} has no EU API endpoint: remove "region" (only SendGrid and Mailgun have one)`,
    );
  return region === 'eu' ? origins.eu! : origins.us;
}

function apiKey(config: ChannelConfig, provider: EmailProvider): string {
  const v = config.api_key;
  const hint: Record<EmailProvider, string> = {
    resend: 'a Resend API key (re_…)',
    postmark: 'a Postmark server token',
    sendgrid: 'a SendGrid API key (SG.…)',
    mailgun: 'a Mailgun API key or domain sending key',
  };
  if (typeof v !== 'string' || v.trim() === '')
    throw new ChannelConfigError(`Channel secrets lack "api_key": set ${hint[provider]}`);
  if (!/^[\x21-\x7e]+$/.test(v.trim()))
    throw new ChannelConfigError(
      'Channel secrets "api_key" holds spaces or characters no API key has: paste the key again',
    );
  return v.trim();
}

/** Mailgun's sending domain: "domain", else the from address's domain. */
function mailgunDomain(config: ChannelConfig, from: string): string {
  const d =
    typeof config.domain === 'string' && config.domain.trim()
      ? config.domain.trim()
      : (parseAddress(from)?.email.split('@')[1] ?? '');
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}\.)+[a-z0-9-]{1,63}$/i.test(d))
    throw new ChannelConfigError(
      `Channel secrets "domain" must be your Mailgun sending domain, e.g. mg.example.com (got ${JSON.stringify(d)})`,
    );
  return d.toLowerCase();
}

/** The provider's request for one mail; `idempotencyKey` goes where the provider honours one (Resend). */
export function emailProviderRequest(config: ChannelConfig, mail: Mail, idempotencyKey: string): OutgoingRequest {
  const provider = emailProvider(config);
  const key = apiKey(config, provider);
  const base = origin(provider, config);
  switch (provider) {
    case 'resend': {
      // "api_url": any Resend-compatible API (it passes the destination check like every URL).
      const url =
        typeof config.api_url === 'string' && config.api_url.trim() ? config.api_url.trim() : `${base}/emails`;
      return {
        url,
        what: 'Email API (Resend)',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${key}`,
          'Idempotency-Key': idempotencyKey,
        },
        body: JSON.stringify(mail),
      };
    }
    case 'postmark': {
      const stream =
        typeof config.message_stream === 'string' && config.message_stream.trim()
          ? config.message_stream.trim()
          : 'outbound';
      return {
        url: `${base}/email`,
        what: 'Email API (Postmark)',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-Postmark-Server-Token': key },
        body: JSON.stringify({
          From: mail.from,
          To: mail.to.join(', '),
          Subject: mail.subject,
          TextBody: mail.text,
          HtmlBody: mail.html,
          MessageStream: stream,
        }),
      };
    }
    case 'sendgrid': {
      const from = parseAddress(mail.from);
      if (!from) throw new ChannelConfigError(`Channel secrets "from" is not an address: ${mail.from}`);
      return {
        url: `${base}/v3/mail/send`,
        what: 'Email API (SendGrid)',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body: JSON.stringify({
          personalizations: [{ to: mail.to.map((email) => ({ email })) }],
          from,
          subject: mail.subject,
          // text/plain must come before text/html.
          content: [
            { type: 'text/plain', value: mail.text },
            { type: 'text/html', value: mail.html },
          ],
        }),
      };
    }
    case 'mailgun': {
      const form = new URLSearchParams();
      form.append('from', mail.from);
      for (const to of mail.to) form.append('to', to);
      form.append('subject', mail.subject);
      form.append('text', mail.text);
      form.append('html', mail.html);
      return {
        url: `${base}/v3/${mailgunDomain(config, mail.from)}/messages`,
        what: 'Email API (Mailgun)',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${btoa(`api:${key}`)}`,
        },
        body: form.toString(),
      };
    }
  }
}
