/**
 * PagerDuty Events API v2: POST /v2/enqueue, one event per alert. Firing and reminders trigger, acknowledged
 * acknowledges, resolved resolves; every event of one alert carries the same dedup_key (rule, host, series), so
 * PagerDuty keeps one incident per alert. Other event kinds are not sent. A test message triggers and resolves
 * a test incident. Config: {"routing_key", "region"?: "us" | "eu"}.
 */
import { alertDetail, alertSubject, alertTitle, type AlertItem, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest, type Send, type SendResult } from './types.ts';

/** Events API origins per service region. */
export const PAGERDUTY_ORIGINS = Object.freeze({
  us: 'https://events.pagerduty.com',
  eu: 'https://events.eu.pagerduty.com',
});

type EventAction = 'trigger' | 'acknowledge' | 'resolve';

/** What an alert event does to the PagerDuty incident, or null when PagerDuty has nothing to do. */
export function pagerdutyAction(a: AlertItem): EventAction | null {
  if (a.kind === 'firing' || a.kind === 'reminder') return 'trigger';
  if (a.kind === 'acknowledged') return 'acknowledge';
  if (a.kind === 'resolved') return 'resolve';
  return null;
}

/** One key per alert (rule × host × series), the same on its trigger, acknowledge and resolve; ≤ 255 characters. */
export function pagerdutyDedupKey(a: AlertItem): string {
  const rule = a.ruleId ?? `name:${a.ruleName}`;
  return ['vibe', rule, a.hostId ?? '-', ...(a.series ? [a.series] : [])].join(':').slice(0, 255);
}

/** The Events API body for one alert (pure). */
export function pagerdutyEvent(
  a: AlertItem,
  routingKey: string,
  m: NotificationMessage,
): Record<string, unknown> | null {
  const action = pagerdutyAction(a);
  if (!action) return null;
  const base = { routing_key: routingKey, event_action: action, dedup_key: pagerdutyDedupKey(a) };
  if (action !== 'trigger') return base;
  return {
    ...base,
    payload: {
      summary: `${alertTitle(a)}: ${alertDetail(a)}`.slice(0, 1024),
      source: alertSubject(a) || 'OpenManager Vibe',
      severity: a.severity === 'critical' ? 'critical' : 'warning',
      timestamp: a.occurredAt,
      ...(a.series ? { component: a.series } : {}),
      class: a.metric,
      custom_details: {
        rule: a.ruleName,
        metric: a.metric,
        value: a.value,
        threshold: a.threshold,
        ...(a.bandLow !== null
          ? { expected: a.expected, band_low: a.bandLow, band_high: a.bandHigh, score: a.score }
          : {}),
        ...(a.reason ? { reason: a.reason } : {}),
        ...(a.kind === 'reminder' ? { reminder: true } : {}),
      },
    },
    client: 'OpenManager Vibe',
    client_url: a.hostUrl ?? m.dashboardUrl,
    ...(a.hostUrl ? { links: [{ href: a.hostUrl, text: `${a.hostName || 'Host'} on OpenManager Vibe` }] } : {}),
  };
}

/** The test message: a test incident triggered, then resolved (pure). */
export function pagerdutyTestEvents(m: NotificationMessage, routingKey: string): Record<string, unknown>[] {
  const dedup = `vibe-test:${m.channel.id}`;
  return [
    {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: {
        summary: `Test message for channel "${m.channel.name}" from OpenManager Vibe (resolved right away)`,
        source: 'OpenManager Vibe',
        severity: 'info',
        timestamp: m.createdAt,
      },
      client: 'OpenManager Vibe',
      client_url: m.dashboardUrl,
    },
    { routing_key: routingKey, event_action: 'resolve', dedup_key: dedup },
  ];
}

function settings(config: ChannelConfig): { url: string; routingKey: string } {
  const routingKey = requireString(config, 'routing_key', 'set the Integration Key of an Events API v2 integration');
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(routingKey))
    throw new ChannelConfigError(
      'Channel secrets "routing_key" is not an Events API v2 integration key (32 letters and digits)',
    );
  const region = config.region ?? 'us';
  if (region !== 'us' && region !== 'eu')
    throw new ChannelConfigError(`Channel secrets "region" must be "us" or "eu", not ${JSON.stringify(region)}`);
  return { url: `${PAGERDUTY_ORIGINS[region]}/v2/enqueue`, routingKey };
}

/** The HTTP requests for a message: one per alert PagerDuty acts on. */
export function pagerdutyRequests(m: NotificationMessage, config: ChannelConfig): OutgoingRequest[] {
  const { url, routingKey } = settings(config);
  const events =
    m.type === 'test'
      ? pagerdutyTestEvents(m, routingKey)
      : m.alerts.flatMap((a) => pagerdutyEvent(a, routingKey, m) ?? []);
  return events.map((e) => ({
    url,
    what: 'PagerDuty Events API',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(e),
  }));
}

/** Sends each event in order; the first failure stops (a retry resends all: PagerDuty dedups by dedup_key). */
export const send: Send = async (m, config, transport) => {
  let requests: OutgoingRequest[];
  try {
    requests = pagerdutyRequests(m, config);
  } catch (err) {
    return deliver(() => {
      throw err;
    }, transport);
  }
  let last: SendResult = { ok: true, status: 204 };
  for (const r of requests) {
    last = await deliver(() => r, transport);
    if (!last.ok) return last;
  }
  return last;
};
