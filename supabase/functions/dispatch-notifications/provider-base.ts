/**
 * Test-only redirection of the fixed provider APIs (Resend, Postmark, SendGrid, Mailgun, Telegram, PagerDuty)
 * to one local receiver: the function env VIBE_PROVIDER_API_BASE, which only whoever deploys the functions can
 * set (never a channel setting). The path and query stay as the provider's, so a receiver checks the real
 * request. Never set it in production. Pure.
 */
import { EMAIL_API_ORIGINS } from './channels/email-providers.ts';
import { PAGERDUTY_ORIGINS } from './channels/pagerduty.ts';
import { TELEGRAM_API_ORIGIN } from './channels/telegram.ts';

/** Every provider origin the channels build URLs for. */
export const PROVIDER_ORIGINS: readonly string[] = Object.freeze([
  ...Object.values(EMAIL_API_ORIGINS).flatMap((o) => [o.us, ...(o.eu ? [o.eu] : [])]),
  TELEGRAM_API_ORIGIN,
  ...Object.values(PAGERDUTY_ORIGINS),
]);

/** Parses VIBE_PROVIDER_API_BASE: an http(s) origin, or null when unset; anything else fails fast. */
export function parseProviderBase(value: string | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Invalid VIBE_PROVIDER_API_BASE=${value}: expected an origin such as http://127.0.0.1:8025`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname.replace(/\/+$/, '') !== '' || url.search)
    throw new Error(`Invalid VIBE_PROVIDER_API_BASE=${value}: expected an origin such as http://127.0.0.1:8025`);
  return url.origin;
}

/** The URL to fetch: a provider URL moved to `base` (path and query kept), any other URL unchanged. */
export function redirectProvider(url: string, base: string | null): string {
  if (!base) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  return PROVIDER_ORIGINS.includes(parsed.origin) ? `${base}${parsed.pathname}${parsed.search}` : url;
}
