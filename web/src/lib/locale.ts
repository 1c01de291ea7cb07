/** The dashboard's languages and how a request's language is chosen. Pure: used by the server and tests. */
import { baseLocale, isLocale, type Locale, locales } from '#lib/paraglide/runtime.js';

export { baseLocale, isLocale, type Locale, locales };

/** The cookie holding this browser's last explicit choice (used when nobody is signed in). */
export const LOCALE_COOKIE = 'vibe_locale';

/** Each language named in itself, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ko: '한국어' };

/** The best supported language of an Accept-Language header (quality order, primary subtag), or null. */
export function fromAcceptLanguage(header: string | null | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0]!;
    if (isLocale(primary)) return primary;
  }
  return null;
}

/**
 * A request's language: the signed-in user's saved choice, else this browser's last choice (cookie), else the
 * browser's Accept-Language, else the base locale.
 */
export function pickLocale(p: { saved?: unknown; cookie?: string | null; acceptLanguage?: string | null }): Locale {
  if (isLocale(p.saved)) return p.saved;
  if (isLocale(p.cookie)) return p.cookie;
  return fromAcceptLanguage(p.acceptLanguage) ?? baseLocale;
}
