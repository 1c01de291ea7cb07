/** The channel-neutral notification message: one or more alert events (grouped per channel) or a test. Pure. */
import { type Locale, translate } from '../_shared/i18n/translate.ts';

/** Event kinds every channel knows; others pass through as their name. */
export type AlertKind = 'firing' | 'resolved' | 'acknowledged' | 'reminder' | (string & {});

/** One alert event as every channel renders it. */
export interface AlertItem {
  eventId: number;
  /**
   * firing, resolved, acknowledged (someone took it), reminder (still firing, not acknowledged);
   * any other kind a newer schema adds is rendered generically from its name.
   */
  kind: AlertKind;
  /** The rule (null once deleted): with the host and series it names one alert across its events. */
  ruleId: string | null;
  severity: 'warning' | 'critical';
  ruleName: string;
  metric: string;
  value: number | null;
  threshold: number | null;
  hostId: string | null;
  hostName: string;
  /** What the rule watched on the host or service: a mount, interface, route, check… (null for host-wide rules). */
  series: string | null;
  occurredAt: string;
  /** Why, in words: "rule disabled", "firing for 4 h 0 min"; for acknowledgements who did it and their note. */
  reason: string | null;
  /** Acknowledgements: who acknowledged (their email then) and the note they left. */
  actor: string | null;
  note: string | null;
  /** Anomaly events: the expected value, the band and the robust z-score. */
  expected: number | null;
  bandLow: number | null;
  bandHigh: number | null;
  score: number | null;
  /** The host's page on the dashboard. */
  hostUrl: string | null;
  /** The team's language (team_settings.locale) for the texts about this alert; English when absent. */
  locale?: Locale;
}

/** What a channel sends: alerts for one channel, or a test message from the dashboard. */
export interface NotificationMessage {
  type: 'alert' | 'test';
  channel: { id: string; name: string; kind: string };
  teamId: string;
  alerts: AlertItem[];
  /** Same for every retry of the same outbox rows; receivers drop repeats with it. */
  idempotencyKey: string;
  dashboardUrl: string;
  /** When the message was built (ISO). */
  createdAt: string;
  /** The team's language (team_settings.locale) for titles and texts; English when absent. */
  locale?: Locale;
}

/** The alert_events row and host as claim_notifications returns them. */
export interface ClaimedEvent {
  id: number;
  kind: string;
  rule_id?: string | null;
  series?: string | null;
  /** acknowledged events: who acknowledged, and their note. */
  actor_email?: string | null;
  note?: string | null;
  severity: string;
  rule_name: string;
  metric: string;
  value: number | null;
  threshold: number | null;
  host_id: string | null;
  reason: string | null;
  occurred_at: string;
  expected?: number | null;
  band_low?: number | null;
  band_high?: number | null;
  score?: number | null;
}

/** The host's dashboard page (the web app serves /hosts/<id>). */
export function hostUrl(dashboardUrl: string, hostId: string | null): string | null {
  return hostId ? `${dashboardUrl.replace(/\/+$/, '')}/hosts/${encodeURIComponent(hostId)}` : null;
}

/** An alert item from a claimed event row and its host. */
export function toAlertItem(
  event: ClaimedEvent,
  host: { name?: string | null } | null,
  dashboardUrl: string,
  locale: Locale = 'en',
): AlertItem {
  return {
    eventId: Number(event.id),
    kind: event.kind,
    ruleId: event.rule_id ?? null,
    severity: event.severity === 'critical' ? 'critical' : 'warning',
    ruleName: event.rule_name,
    metric: event.metric,
    value: event.value,
    threshold: event.threshold,
    hostId: event.host_id,
    hostName: host?.name ?? (event.host_id ? translate(locale, 'notify_unknown_host') : ''),
    series: typeof event.series === 'string' && event.series !== '' ? event.series : null,
    // One canonical ISO form (Postgres drops trailing zeros of the milliseconds), so receivers can compare strings.
    occurredAt: new Date(event.occurred_at).toISOString(),
    reason: event.kind === 'acknowledged' ? acknowledgement(event, locale) : event.reason,
    actor: event.actor_email ?? null,
    note: event.note ?? null,
    expected: event.expected ?? null,
    bandLow: event.band_low ?? null,
    bandHigh: event.band_high ?? null,
    score: event.score ?? null,
    hostUrl: hostUrl(dashboardUrl, event.host_id),
    locale,
  };
}

/** "Acknowledged by ana@example.com: on it", the line every channel shows under an acknowledgement. */
function acknowledgement(event: ClaimedEvent, locale: Locale): string {
  const who = event.actor_email ?? translate(locale, 'notify_team_member');
  return event.note
    ? translate(locale, 'notify_ack_by_note', { who, note: event.note })
    : translate(locale, 'notify_ack_by', { who });
}

/** A stable key for a set of outbox rows: the same rows retried carry the same key. */
export async function idempotencyKey(notificationIds: number[]): Promise<string> {
  const text = [...notificationIds].sort((a, b) => a - b).join(',');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return `vibe-${Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Compact number for humans: 97.25 → "97.3", 1234567 → "1234567". */
export function formatValue(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'n/a';
  return Math.abs(n) >= 1000 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

/** What the alert is about: "web-1", "web-1 (/var)", or the series alone for rules on services and checks. */
export function alertSubject(a: AlertItem): string {
  if (a.hostName && a.series) return `${a.hostName} (${a.series})`;
  return a.hostName || a.series || '';
}

// The texts below are the catalogue's notify_* messages (supabase/functions/_shared/i18n), in the team's language.

/** The word a title starts with: the severity while firing, else what happened. */
export function kindLabel(a: AlertItem): string {
  const locale = a.locale ?? 'en';
  const critical = a.severity === 'critical';
  switch (a.kind) {
    case 'firing':
      return translate(locale, critical ? 'notify_kind_critical' : 'notify_kind_warning');
    case 'resolved':
      return translate(locale, 'notify_kind_resolved');
    case 'acknowledged':
      return translate(locale, 'notify_kind_acknowledged');
    case 'reminder':
      return translate(locale, 'notify_kind_reminder', {
        severity: translate(locale, critical ? 'severity_critical' : 'severity_warning'),
      });
    default: {
      const words = String(a.kind).replace(/[_-]+/g, ' ').trim() || 'Update';
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}

/** Whether the alert is over (green in every channel). */
export const isResolved = (a: AlertItem): boolean => a.kind === 'resolved';

/** "Critical: CPU high on web-1", "Resolved: Disk full on web-1 (/var)", "Warning: Error rate on api /login". */
export function alertTitle(a: AlertItem): string {
  const subject = alertSubject(a);
  const texts = { kind: kindLabel(a), rule: a.ruleName, subject };
  return translate(a.locale ?? 'en', subject ? 'notify_title' : 'notify_title_plain', texts);
}

/** One human line describing the alert's value against its threshold or band. */
export function alertDetail(a: AlertItem): string {
  const locale = a.locale ?? 'en';
  if (a.bandLow !== null && a.bandHigh !== null) {
    return translate(locale, 'notify_detail_band', {
      metric: a.metric,
      value: formatValue(a.value),
      low: formatValue(a.bandLow),
      high: formatValue(a.bandHigh),
      score: formatValue(a.score),
    });
  }
  return translate(locale, 'notify_detail_threshold', {
    metric: a.metric,
    value: formatValue(a.value),
    threshold: formatValue(a.threshold),
  });
}

const COUNT_KEYS = {
  firing: 'notify_count_firing',
  resolved: 'notify_count_resolved',
  acknowledged: 'notify_count_acknowledged',
  reminder: 'notify_count_reminder',
} as const;

/** The message's headline: one alert's title, or a count per kind for a group. */
export function messageTitle(m: NotificationMessage): string {
  const locale = m.locale ?? 'en';
  if (m.type === 'test') return translate(locale, 'notify_test', { channel: m.channel.name });
  if (m.alerts.length === 1) return alertTitle(m.alerts[0]!);
  const counts = new Map<string, number>([
    ['firing', 0],
    ['resolved', 0],
  ]);
  for (const a of m.alerts) counts.set(String(a.kind), (counts.get(String(a.kind)) ?? 0) + 1);
  const parts = [...counts]
    .filter(([k, n]) => n > 0 || k === 'firing' || k === 'resolved')
    .map(([k, n]) =>
      k in COUNT_KEYS
        ? translate(locale, COUNT_KEYS[k as keyof typeof COUNT_KEYS], { count: n })
        : translate(locale, 'notify_count_other', { count: n, kind: k }),
    );
  return translate(locale, 'notify_group', { count: m.alerts.length, parts: parts.join(', ') });
}
