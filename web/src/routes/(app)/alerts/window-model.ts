/** Maintenance windows as the alerts page edits and lists them, and their conversion to and from rows. Pure. */
import { m } from '#lib/paraglide/messages.js';
import { getLocale } from '#lib/paraglide/runtime.js';
import type { Database, Tables, TablesInsert } from '$shared/database.types.ts';

/** A maintenance_windows row. */
export type MaintenanceWindow = Tables<'maintenance_windows'>;
/** One row of next_maintenance_windows: the next (or current, `active`) occurrence of a window. */
export type NextOccurrence = Database['public']['Functions']['next_maintenance_windows']['Returns'][number];

export type WindowKind = 'once' | 'weekly' | 'cron';
export type WindowScope = 'all' | 'hosts' | 'labels';

/** The form's fields. Times are the browser's local time for one-off windows, the window's zone otherwise. */
export interface WindowDraft {
  name: string;
  comment: string;
  kind: WindowKind;
  timeZone: string;
  /** datetime-local values ("2026-12-05T22:00"). */
  startsAt: string;
  endsAt: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: number[];
  /** "HH:MM". */
  startTime: string;
  endTime: string;
  cron: string;
  durationMinutes: number;
  scope: WindowScope;
  hostIds: string[];
  /** "env=prod, role=db". */
  labels: string;
  enabled: boolean;
}

/** Monday first, as the weekdays column counts them. */
export const WEEKDAYS: { n: number; readonly short: string }[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({
  n,
  // In the page's language (Intl): 2024-01-01 was a Monday.
  get short() {
    return new Intl.DateTimeFormat(getLocale(), { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2024, 0, n));
  },
}));

/** A datetime-local value for a time (browser zone). */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A fresh draft: a weekly window on Sundays 02:00–04:00 in the browser's zone, for the whole team. */
export function emptyWindowDraft(
  now = new Date(),
  timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
): WindowDraft {
  return {
    name: '',
    comment: '',
    kind: 'weekly',
    timeZone: timeZone || 'UTC',
    startsAt: localInput(now),
    endsAt: localInput(new Date(now.getTime() + 2 * 3_600_000)),
    weekdays: [7],
    startTime: '02:00',
    endTime: '04:00',
    cron: '0 2 * * sun',
    durationMinutes: 120,
    scope: 'all',
    hostIds: [],
    labels: '',
    enabled: true,
  };
}

/** "env=prod, role=db" → {env: "prod", role: "db"}; a string is the error to show. */
export function parseLabels(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return m.window_labels_invalid({ label: part });
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** The columns to write for a draft (the database validates and says what to fix). */
export function rowFromWindowDraft(d: WindowDraft, teamId: string): TablesInsert<'maintenance_windows'> {
  const labels = parseLabels(d.labels);
  if (typeof labels === 'string') throw new Error(labels);
  const toIso = (local: string) => (local ? new Date(local).toISOString() : null);
  return {
    team_id: teamId,
    name: d.name.trim(),
    comment: d.comment.trim() || null,
    kind: d.kind,
    time_zone: d.timeZone.trim() || 'UTC',
    starts_at: d.kind === 'once' ? toIso(d.startsAt) : null,
    ends_at: d.kind === 'once' ? toIso(d.endsAt) : null,
    weekdays: d.kind === 'weekly' ? [...d.weekdays].sort((a, b) => a - b) : null,
    start_time: d.kind === 'weekly' ? d.startTime : null,
    end_time: d.kind === 'weekly' ? d.endTime : null,
    cron: d.kind === 'cron' ? d.cron.trim() : null,
    duration: d.kind === 'cron' ? `${Math.round(d.durationMinutes)} minutes` : null,
    scope: d.scope,
    host_ids: d.scope === 'hosts' ? d.hostIds : [],
    labels: d.scope === 'labels' ? labels : {},
    enabled: d.enabled,
  };
}

/** Minutes of a Postgres interval as PostgREST returns it ("02:00:00", "1 day 02:00:00"). */
function intervalMinutes(text: string | null): number {
  if (!text) return 0;
  const days = /(\d+) days?/.exec(text);
  const hms = /(\d+):(\d+)/.exec(text);
  return (days ? +days[1]! * 1440 : 0) + (hms ? +hms[1]! * 60 + +hms[2]! : 0);
}

/** A draft from a stored window. */
export function draftFromWindow(w: MaintenanceWindow): WindowDraft {
  const base = emptyWindowDraft();
  return {
    name: w.name,
    comment: w.comment ?? '',
    kind: w.kind as WindowKind,
    timeZone: w.time_zone,
    startsAt: w.starts_at ? localInput(new Date(w.starts_at)) : base.startsAt,
    endsAt: w.ends_at ? localInput(new Date(w.ends_at)) : base.endsAt,
    weekdays: w.weekdays ?? base.weekdays,
    startTime: w.start_time?.slice(0, 5) ?? base.startTime,
    endTime: w.end_time?.slice(0, 5) ?? base.endTime,
    cron: w.cron ?? base.cron,
    durationMinutes: w.duration ? intervalMinutes(w.duration as string) : base.durationMinutes,
    scope: w.scope as WindowScope,
    hostIds: [...w.host_ids],
    labels: Object.entries((w.labels ?? {}) as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
    enabled: w.enabled,
  };
}

/** When a window recurs, in words: "Mon, Fri 22:00–02:00 (Europe/Berlin)", "cron 0 2 * * sun for 120 min (UTC)". */
export function describeSchedule(w: MaintenanceWindow, fmt: (iso: string) => string): string {
  if (w.kind === 'once') return m.window_once({ from: fmt(w.starts_at ?? ''), to: fmt(w.ends_at ?? '') });
  if (w.kind === 'weekly') {
    const days = (w.weekdays ?? []).map((n) => WEEKDAYS.find((d) => d.n === n)?.short ?? String(n)).join(', ');
    return `${days} ${w.start_time?.slice(0, 5)}–${w.end_time?.slice(0, 5)} (${w.time_zone})`;
  }
  return m.window_cron({
    cron: w.cron ?? '',
    minutes: intervalMinutes(w.duration as string | null),
    zone: w.time_zone,
  });
}

/** Which hosts a window covers, in words. */
export function describeScope(w: MaintenanceWindow, hostName: (id: string) => string): string {
  if (w.scope === 'hosts') return w.host_ids.map(hostName).join(', ');
  if (w.scope === 'labels')
    return Object.entries((w.labels ?? {}) as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  return m.scope_all();
}
