/** The channel-neutral notification message: one or more alert events (grouped per channel) or a test. Pure. */
import { type Locale, translate } from '../_shared/i18n/translate.ts';

/** One alert event as every channel renders it. */
export interface AlertItem {
  eventId: number;
  kind: 'firing' | 'resolved';
  severity: 'warning' | 'critical';
  ruleName: string;
  metric: string;
  value: number | null;
  threshold: number | null;
  hostId: string | null;
  hostName: string;
  occurredAt: string;
  reason: string | null;
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
    kind: event.kind === 'resolved' ? 'resolved' : 'firing',
    severity: event.severity === 'critical' ? 'critical' : 'warning',
    ruleName: event.rule_name,
    metric: event.metric,
    value: event.value,
    threshold: event.threshold,
    hostId: event.host_id,
    hostName: host?.name ?? translate(locale, 'notify_unknown_host'),
    // One canonical ISO form (Postgres drops trailing zeros of the milliseconds), so receivers can compare strings.
    occurredAt: new Date(event.occurred_at).toISOString(),
    reason: event.reason,
    expected: event.expected ?? null,
    bandLow: event.band_low ?? null,
    bandHigh: event.band_high ?? null,
    score: event.score ?? null,
    hostUrl: hostUrl(dashboardUrl, event.host_id),
    locale,
  };
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

// The texts below are the catalogue's notify_* messages (supabase/functions/_shared/i18n), in the team's language.

/** "Resolved", "Critical" or "Warning", the rule and the host, for titles. */
export function alertTitle(a: AlertItem): string {
  const key =
    a.kind === 'resolved' ? 'notify_resolved' : a.severity === 'critical' ? 'notify_critical' : 'notify_warning';
  return translate(a.locale ?? 'en', key, { rule: a.ruleName, host: a.hostName });
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

/** The message's headline: one alert's title, or a count for a group. */
export function messageTitle(m: NotificationMessage): string {
  const locale = m.locale ?? 'en';
  if (m.type === 'test') return translate(locale, 'notify_test', { channel: m.channel.name });
  if (m.alerts.length === 1) return alertTitle(m.alerts[0]!);
  const firing = m.alerts.filter((a) => a.kind === 'firing').length;
  const resolved = m.alerts.length - firing;
  return translate(locale, 'notify_group', { count: m.alerts.length, firing, resolved });
}
