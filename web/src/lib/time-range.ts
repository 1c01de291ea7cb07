/** Host-page time ranges: presets relative to now, or a custom absolute span. */
import { m } from '#lib/paraglide/messages.js';

/** A preset key. */
export type PresetKey = '15m' | '1h' | '6h' | '24h' | '7d' | '30d';

/** The presets the range picker offers, with their length in milliseconds. */
export const PRESETS: { key: PresetKey; label: () => string; ms: number }[] = [
  { key: '15m', label: m.range_15m, ms: 15 * 60_000 },
  { key: '1h', label: m.range_1h, ms: 3_600_000 },
  { key: '6h', label: m.range_6h, ms: 6 * 3_600_000 },
  { key: '24h', label: m.range_24h, ms: 24 * 3_600_000 },
  { key: '7d', label: m.range_7d, ms: 7 * 86_400_000 },
  { key: '30d', label: m.range_30d, ms: 30 * 86_400_000 },
];

/** A chosen range. */
export type TimeRange = { preset: PresetKey } | { preset: 'custom'; from: Date; to: Date };

/** The absolute span of a range at time `now`; `live` when it ends now (new samples get appended). */
export function resolveRange(r: TimeRange, now = Date.now()): { from: Date; to: Date; live: boolean } {
  if (r.preset === 'custom') return { from: r.from, to: r.to, live: false };
  const ms = PRESETS.find((p) => p.key === r.preset)!.ms;
  return { from: new Date(now - ms), to: new Date(now), live: true };
}

/** Parses `?range=1h` or `?from=…&to=…` (ISO) from a URL; defaults to the last hour. */
export function rangeFromUrl(url: { searchParams: { get(name: string): string | null } }): TimeRange {
  const from = url.searchParams.get('from');
  const to = url.searchParams.get('to');
  if (
    from &&
    to &&
    Number.isFinite(Date.parse(from)) &&
    Number.isFinite(Date.parse(to)) &&
    Date.parse(from) < Date.parse(to)
  ) {
    return { preset: 'custom', from: new Date(from), to: new Date(to) };
  }
  const key = url.searchParams.get('range');
  return { preset: PRESETS.some((p) => p.key === key) ? (key as PresetKey) : '1h' };
}

/** The query string that names a range. */
export function rangeToQuery(r: TimeRange): string {
  return r.preset === 'custom' ? `from=${r.from.toISOString()}&to=${r.to.toISOString()}` : `range=${r.preset}`;
}
