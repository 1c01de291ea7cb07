/**
 * The web app's message catalogue (en.json, ko.json beside this file; the dashboard compiles the same files with
 * Paraglide) for the Edge Functions: notification titles and texts in the team's language. Keys are checked
 * against the base catalogue by the type checker; every key has a translation (web/scripts/check-messages.ts).
 */
import en from './en.json' with { type: 'json' };
import ko from './ko.json' with { type: 'json' };

/** The languages a team can choose (team_settings.locale). */
export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

/** A key of the catalogue. */
export type MessageKey = Exclude<keyof typeof en, '$schema'>;

const catalogues: Record<Locale, Record<string, unknown>> = { en, ko };

/** A supported locale, or the base locale for anything else (an unknown or missing setting). */
export function toLocale(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : 'en';
}

/** The text of `key` in `locale` with its `{name}` placeholders filled; plain texts only (no plural forms). */
export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogues[locale][key] ?? catalogues.en[key];
  if (typeof text !== 'string') throw new TypeError(`Cannot render message ${key}: it has plural forms`);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
