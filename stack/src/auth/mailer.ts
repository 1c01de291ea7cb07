/**
 * The emails GoTrue sends, composed as its default templates do (subjects, a link to `/verify` carrying the
 * token hash, the code), and GoTrue's global email limit. Where they go is the Outbox's business: the local
 * mailbox (mailbox.ts) with `npm run stack`; hosted Supabase sends them with the project's SMTP settings.
 */
import { AuthError } from './errors.ts';
import type { MailerSettings } from './settings.ts';
import { TokenBuckets } from './token-bucket.ts';

/** GoTrue's email actions: which template, and the `type` the link's /verify call carries. */
export type MailKind =
  | 'signup'
  | 'invite'
  | 'magiclink'
  | 'recovery'
  | 'email_change_current'
  | 'email_change_new'
  | 'reauthentication';

/** What an endpoint asks to send (after its transaction commits). */
export interface MailRequest {
  to: string;
  kind: MailKind;
  /** The code to type (`verifyOtp({ email, token })`, or the reauthentication nonce). */
  otp: string;
  /** The link's token (`verifyOtp({ token_hash })`), `pkce_`-prefixed for a PKCE flow. */
  tokenHash: string;
  /** Where the link sends the user after /verify (an allowed `redirect_to`, else the site URL). */
  redirectTo?: string;
}

/** A composed email, as it lands in the mailbox. */
export interface OutgoingMail extends MailRequest {
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The link in the mail (`<auth>/verify?token=…&type=…&redirect_to=…`); null for a code-only mail. */
  actionLink: string | null;
  redirectTo: string;
}

const SUBJECTS: Record<MailKind, (otp: string) => string> = {
  signup: () => 'Confirm your email address',
  invite: () => "You've been invited",
  magiclink: () => 'Your sign-in link',
  recovery: () => 'Reset your password',
  email_change_current: () => 'Confirm your new email address',
  email_change_new: () => 'Confirm your new email address',
  reauthentication: (otp) => `${otp} is your verification code`,
};

const LEADS: Record<MailKind, string> = {
  signup: 'Follow this link to confirm your email address',
  invite: 'You have been invited to create a user. Follow this link to accept the invite',
  magiclink: 'Follow this link to sign in',
  recovery: 'Follow this link to reset the password for your user',
  email_change_current: 'Follow this link to confirm the change of your email address',
  email_change_new: 'Follow this link to confirm the change of your email address to this one',
  reauthentication: 'Enter this code to confirm it is you',
};

/** The `type` a mail's link verifies with (both email-change mails verify as `email_change`). */
export function verifyType(kind: MailKind): string {
  return kind.startsWith('email_change') ? 'email_change' : kind;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Composes the mail GoTrue's default template would send. `authUrl` is the Auth server's public URL (`…/auth/v1`). */
export function composeMail(m: MailRequest, mailer: MailerSettings, authUrl: string): OutgoingMail {
  const redirectTo = m.redirectTo ?? mailer.siteUrl;
  const actionLink =
    m.kind === 'reauthentication'
      ? null
      : `${authUrl}/verify?${new URLSearchParams({ token: m.tokenHash, type: verifyType(m.kind), redirect_to: redirectTo })}`;
  const subject = SUBJECTS[m.kind](m.otp);
  const lead = LEADS[m.kind];
  const text = actionLink
    ? `${lead}:\n${actionLink}\n\nAlternatively, enter the code: ${m.otp}\n`
    : `${lead}:\n${m.otp}\n`;
  const html = actionLink
    ? `<h2>${escapeHtml(subject)}</h2><p>${escapeHtml(lead)}:</p><p><a href="${escapeHtml(actionLink)}">${escapeHtml(subject)}</a></p><p>Alternatively, enter the code: ${escapeHtml(m.otp)}</p>`
    : `<h2>${escapeHtml(subject)}</h2><p>${escapeHtml(lead)}:</p><p><strong>${escapeHtml(m.otp)}</strong></p>`;
  return { ...m, from: 'Supabase Auth <noreply@mail.app.supabase.io>', subject, text, html, actionLink, redirectTo };
}

/**
 * GoTrue's email limit (`[auth.rate_limit] email_sent`, per hour, for the whole server): checked before a mail
 * is sent, and only when confirmations are on (with mailer auto-confirm GoTrue skips it); 0 refuses every mail.
 */
export class EmailLimit {
  readonly #bucket: TokenBuckets | null;
  readonly #zero: boolean;
  constructor(perHour: number | null, autoconfirm: boolean) {
    this.#zero = perHour === 0;
    this.#bucket = perHour && !autoconfirm ? new TokenBuckets(perHour, perHour / 3600) : null;
  }

  /** Takes one mail from the hour's allowance; 429 over_email_send_rate_limit when none is left. */
  take(count = 1): void {
    const refused = () => new AuthError(429, 'over_email_send_rate_limit', 'email rate limit exceeded');
    if (this.#zero) throw refused();
    if (!this.#bucket) return;
    for (let i = 0; i < count; i++) {
      if (!this.#bucket.take('all').ok) {
        for (let j = 0; j < i; j++) this.#bucket.give('all');
        throw refused();
      }
    }
  }
}

function globToRegExp(pattern: string): RegExp {
  const parts: string[] = pattern.split(/(\*\*|\*)/).map((part: string): string => {
    if (part === '**') return '.*';
    if (part === '*') return '[^/.]*';
    return part.replace(/[.*+?^$(){}|[\]\\]/g, (c: string) => `\\${c}`);
  });
  return new RegExp(`^${parts.join('')}$`);
}

/**
 * The `redirect_to` GoTrue uses: the requested URL when it is the site URL's origin or matches an
 * `additional_redirect_urls` entry (exact, or a glob where `*` matches within a path segment and `**` across),
 * else the site URL.
 */
export function allowedRedirect(mailer: MailerSettings, requested: string | null | undefined): string {
  if (!requested) return mailer.siteUrl;
  if (!URL.canParse(requested)) return mailer.siteUrl;
  const url = new URL(requested);
  if (url.origin === new URL(mailer.siteUrl).origin) return requested;
  for (const pattern of mailer.redirectUrls) {
    if (pattern === requested) return requested;
    if (globToRegExp(pattern).test(requested)) return requested;
  }
  return mailer.siteUrl;
}
