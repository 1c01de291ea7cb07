/** pg_cron schedules: parsing (Vixie cron rules as pg_cron applies them) and next-run times in UTC. */
import { Cron } from 'croner';

/** A parsed `cron.job.schedule`. */
export type Schedule =
  | { readonly kind: 'interval'; readonly seconds: number }
  | { readonly kind: 'reboot' }
  | { readonly kind: 'cron'; readonly expression: string; readonly cron: Cron };

const KEYWORDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly { low: number; high: number; names: readonly string[] }[] = [
  { low: 0, high: 59, names: [] },
  { low: 0, high: 23, names: [] },
  { low: 1, high: 31, names: [] },
  { low: 1, high: 12, names: MONTHS },
  { low: 0, high: 7, names: DAYS },
];

function value(token: string, low: number, names: readonly string[]): number {
  if (/^\d+$/.test(token)) return Number(token);
  const i = names.indexOf(token);
  return i < 0 ? NaN : i + low;
}

/** One comma-separated element: `*`, `n`, `n-m`, `*\/s`, `n-m/s` (no `n/s`; step 1..high). */
function validElement(element: string, field: (typeof FIELDS)[number]): boolean {
  const m = /^(\*|[0-9a-z]+)(?:-([0-9a-z]+))?(?:\/(\d+))?$/.exec(element);
  if (!m) return false;
  const [, first, second, step] = m;
  let a = field.low;
  let b = field.high;
  if (first !== '*') {
    if (second === undefined && step !== undefined) return false;
    a = value(first!, field.low, field.names);
    b = second === undefined ? a : value(second, field.low, field.names);
  } else if (second !== undefined) {
    return false;
  }
  if (!(a >= field.low && b <= field.high && a <= b)) return false;
  return step === undefined || (Number(step) > 0 && Number(step) <= field.high);
}

/**
 * Parses a schedule as `cron.schedule` accepts it: five fields (with `$` for the last day of the month),
 * an `@keyword`, or `'N seconds'` (1–59). Returns null when pg_cron would reject it.
 */
export function parseSchedule(text: string): Schedule | null {
  const s = text.trim().toLowerCase();
  const interval = /^(\d{1,9})\s*seconds?$/.exec(s);
  if (interval) {
    const seconds = Number(interval[1]);
    return seconds >= 1 && seconds <= 59 ? { kind: 'interval', seconds } : null;
  }
  if (s === '@reboot' || s === '@restart') return { kind: 'reboot' };
  const expression = s.startsWith('@') ? KEYWORDS[s] : s;
  if (expression === undefined) return null;
  const fields = expression.split(/\s+/);
  if (fields.length !== 5) return null;
  for (let i = 0; i < 5; i++) {
    if (i === 2 && fields[2] === '$') continue;
    if (!fields[i]!.split(',').every((e) => validElement(e, FIELDS[i]!))) return null;
  }
  // Vixie cron: day-of-month and day-of-week combine with OR unless either starts with `*`.
  const domAndDow = fields[2]!.startsWith('*') || fields[4]!.startsWith('*');
  const pattern = [...fields.slice(0, 2), fields[2] === '$' ? 'L' : fields[2], ...fields.slice(3)].join(' ');
  try {
    return { kind: 'cron', expression, cron: new Cron(pattern, { timezone: 'UTC', mode: '5-part', domAndDow }) };
  } catch {
    return null;
  }
}

/** The first run strictly after `after` (minute starts for cron expressions); null for @reboot. */
export function nextRun(schedule: Schedule, after: Date): Date | null {
  switch (schedule.kind) {
    case 'interval':
      return new Date(after.getTime() + schedule.seconds * 1000);
    case 'reboot':
      return null;
    case 'cron':
      return schedule.cron.nextRun(after);
  }
}
