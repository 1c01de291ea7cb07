/**
 * Number, size, rate, duration and time formatting shared by every page, in the page's language (Intl): every
 * function takes an optional locale, by default the one the page renders in.
 */
import { m } from '#lib/paraglide/messages.js';
import { getLocale, type Locale } from '#lib/paraglide/runtime.js';

// Intl formatters are costly to build and pages format thousands of values a second: one per locale and kind.
const cache = new Map<string, { format(v: unknown): string }>();
function formatter<T>(key: string, make: () => { format(v: T): string }): { format(v: T): string } {
  let f = cache.get(key);
  if (!f) cache.set(key, (f = make() as { format(v: unknown): string }));
  return f;
}
const decimals = (locale: Locale, digits: number) =>
  formatter<number>(`n:${locale}:${digits}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }));

/** A percentage such as "42.5%", or "–" when unknown. */
export function percent(v: number | null | undefined, locale = getLocale()): string {
  return v == null || !Number.isFinite(v) ? '–' : `${decimals(locale, 1).format(v)}%`;
}

/** A plain number with at most `digits` decimals (default 1), or "–". */
export function num(v: number | null | undefined, digits = 1, locale = getLocale()): string {
  if (v == null || !Number.isFinite(v)) return '–';
  return decimals(locale, digits).format(v);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in binary units: 1536 → "1.5 KB" (the unit symbols are the same in every language). */
export function bytes(v: number | null | undefined, locale = getLocale()): string {
  if (v == null || !Number.isFinite(v)) return '–';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${v < 0 ? '-' : ''}${decimals(locale, i === 0 ? 0 : 1).format(x)} ${UNITS[i]}`;
}

/** A byte rate: "1.5 MB/s". */
export function rate(v: number | null | undefined, locale = getLocale()): string {
  return v == null || !Number.isFinite(v) ? '–' : `${bytes(v, locale)}/s`;
}

const PARTS = [
  [86400, 'days'],
  [3600, 'hours'],
  [60, 'minutes'],
  [1, 'seconds'],
] as const;

// Intl.DurationFormat (ES2025) is in Node 24 and every current browser, not yet in TypeScript's ES2024 lib.
type DurationFormatter = { format(d: Partial<Record<(typeof PARTS)[number][1], number>>): string };
// Zero units are left out ("1d 2h" for 1d 2h 0m), except a lone zero: "0s".
const durationFormat = (locale: Locale, zero: boolean) =>
  formatter(`d:${locale}:${zero}`, () => {
    const DF = (Intl as unknown as { DurationFormat: new (l: string, o: object) => DurationFormatter }).DurationFormat;
    return new DF(locale, zero ? { style: 'narrow', secondsDisplay: 'always' } : { style: 'narrow' });
  });

/** A duration in seconds as its two largest units: 93784 → "1d 2h" (ko: "1일 2시간"). */
export function duration(seconds: number | null | undefined, locale = getLocale(), units = 2): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  let s = Math.max(0, Math.floor(seconds));
  const parts: Partial<Record<(typeof PARTS)[number][1], number>> = {};
  let count = 0;
  for (const [size, unit] of PARTS) {
    if (s >= size || (unit === 'seconds' && count === 0)) {
      parts[unit] = Math.floor(s / size);
      s %= size;
      count++;
    }
    if (count === units) break;
  }
  return durationFormat(locale, parts.seconds === 0 && count === 1).format(parts);
}

/** How long ago a time was, relative to `now` (ms): "12s ago", "3m ago", "never" (ko: "3분 전", "없음"). */
export function ago(iso: string | null | undefined, now = Date.now(), locale = getLocale()): string {
  const t = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(t)) return m.format_never({}, { locale });
  return m.format_ago({ time: duration(Math.max(0, (now - t) / 1000), locale, 1) }, { locale });
}

/** A local date-time for tables, in the locale's order: "06/01/2025, 12:00:05", ko "2025. 06. 01. 12:00:05". */
export function dateTime(iso: string | Date | null | undefined, locale = getLocale()): string {
  if (!iso) return '–';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (!Number.isFinite(d.getTime())) return '–';
  return formatter<Date>(
    `t:${locale}`,
    () =>
      new Intl.DateTimeFormat(locale, {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }),
  ).format(d);
}

/** A chart axis tick: the date over spans longer than two days, else the time of day. */
export function tick(d: Date, spanMs: number, locale = getLocale()): string {
  const long = spanMs > 2 * 86_400_000;
  return formatter<Date>(
    `k:${locale}:${long}`,
    () =>
      new Intl.DateTimeFormat(
        locale,
        long ? { month: 'numeric', day: 'numeric' } : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
      ),
  ).format(d);
}

/** A value in the unit of an alert-rule metric (percent, bytes/s, plain). */
export function metricValue(metric: string, v: number | null | undefined, locale = getLocale()): string {
  if (metric.endsWith('_percent') || metric.startsWith('cpu_')) return percent(v, locale);
  if (metric.endsWith('_bps')) return rate(v, locale);
  if (metric === 'host_down') return m.format_missed_intervals({ count: num(v, 1, locale) }, { locale });
  if (metric === 'temp_c') return `${num(v, 1, locale)} °C`;
  return num(v, 1, locale);
}
