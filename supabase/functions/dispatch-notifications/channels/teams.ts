/**
 * Microsoft Teams through a Power Automate workflow webhook ("When a Teams webhook request is received",
 * the successor of Office 365 connectors): a message with one Adaptive Card attachment. Config: {"url"}.
 */
import {
  alertTitle,
  formatValue,
  isResolved,
  messageTitle,
  type AlertItem,
  type NotificationMessage,
} from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import type { ChannelConfig, OutgoingRequest, Send } from './types.ts';

const MAX_ALERTS = 20;

/** Adaptive Card text colours: firing critical Attention, warning Warning, resolved Good, other Accent. */
function colour(a: AlertItem): string {
  if (isResolved(a)) return 'Good';
  if (a.kind !== 'firing' && a.kind !== 'reminder') return 'Accent';
  return a.severity === 'critical' ? 'Attention' : 'Warning';
}

function alertBlock(a: AlertItem): Record<string, unknown> {
  const facts = [
    { title: 'Metric', value: a.metric },
    { title: 'Value', value: formatValue(a.value) },
    a.bandLow !== null && a.bandHigh !== null
      ? {
          title: 'Expected',
          value: `${formatValue(a.bandLow)}–${formatValue(a.bandHigh)} (score ${formatValue(a.score)})`,
        }
      : { title: 'Threshold', value: formatValue(a.threshold) },
    ...(a.reason ? [{ title: 'Reason', value: a.reason }] : []),
    { title: 'At', value: a.occurredAt },
  ];
  return {
    type: 'Container',
    separator: true,
    items: [
      { type: 'TextBlock', text: alertTitle(a), weight: 'Bolder', color: colour(a), wrap: true },
      { type: 'FactSet', facts },
      ...(a.hostUrl
        ? [{ type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: 'Open host', url: a.hostUrl }] }]
        : []),
    ],
  };
}

/** The Teams workflow payload for a message (pure). */
export function teamsPayload(m: NotificationMessage): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: messageTitle(m), size: 'Medium', weight: 'Bolder', wrap: true },
  ];
  if (m.type === 'test')
    body.push({ type: 'TextBlock', text: 'Notifications from OpenManager Vibe reach this channel.', wrap: true });
  for (const a of m.alerts.slice(0, MAX_ALERTS)) body.push(alertBlock(a));
  if (m.alerts.length > MAX_ALERTS)
    body.push({ type: 'TextBlock', text: `…and ${m.alerts.length - MAX_ALERTS} more`, wrap: true, isSubtle: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'Open dashboard', url: m.dashboardUrl }],
        },
      },
    ],
  };
}

/** The HTTP request for a Teams channel. */
export function teamsRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const url = requireString(
    config,
    'url',
    'set {"url": "<the Teams workflow URL (Workflows → webhook alerts to a channel)>"}',
  );
  return {
    url,
    what: 'Teams workflow',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(teamsPayload(m)),
  };
}

/** Sends to a Teams workflow webhook. */
export const send: Send = (m, config, transport) => deliver(() => teamsRequest(m, config), transport);
