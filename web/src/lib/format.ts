/** Number, size, rate, duration and time formatting shared by every page. */

const nf1 = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const nf0 = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** A percentage such as "42.5%", or "–" when unknown. */
export function percent(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '–' : `${nf1.format(v)}%`;
}

/** A plain number with at most one decimal, or "–". */
export function num(v: number | null | undefined, digits = 1): string {
  if (v == null || !Number.isFinite(v)) return '–';
  return digits === 0 ? nf0.format(v) : nf1.format(v);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in binary units: 1536 → "1.5 KB". */
export function bytes(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '–';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${v < 0 ? '-' : ''}${i === 0 ? nf0.format(x) : nf1.format(x)} ${UNITS[i]}`;
}

/** A byte rate: "1.5 MB/s". */
export function rate(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '–' : `${bytes(v)}/s`;
}

/** A duration in seconds as its two largest units: 93784 → "1d 2h". */
export function duration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '–';
  let s = Math.max(0, Math.floor(seconds));
  const parts: [number, string][] = [
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const out: string[] = [];
  for (const [size, unit] of parts) {
    if (s >= size || (unit === 's' && out.length === 0)) {
      out.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
    if (out.length === 2) break;
  }
  return out.join(' ');
}

/** How long ago a time was, relative to `now` (ms): "12s ago", "3m ago", "never". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return 'never';
  return `${duration(Math.max(0, (now - t) / 1000)).split(' ')[0]} ago`;
}

/** A local date-time for tables: "2025-06-01 12:00:05". */
export function dateTime(iso: string | Date | null | undefined): string {
  if (!iso) return '–';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (!Number.isFinite(d.getTime())) return '–';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A value in the unit of an alert-rule metric (percent, bytes/s, plain). */
export function metricValue(metric: string, v: number | null | undefined): string {
  if (metric.endsWith('_percent') || metric.startsWith('cpu_')) return percent(v);
  if (metric.endsWith('_bps')) return rate(v);
  if (metric === 'host_down') return `${num(v)} missed intervals`;
  if (metric === 'temp_c') return `${num(v)} °C`;
  return num(v);
}
