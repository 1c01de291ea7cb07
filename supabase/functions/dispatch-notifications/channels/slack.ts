/** Slack incoming webhook: a header, one section per alert (up to 20) and a context line. Config: {"url"}. */
import { alertDetail, alertTitle, messageTitle, type AlertItem, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import type { ChannelConfig, OutgoingRequest, Send } from './types.ts';

const MAX_ALERTS = 20;

function section(a: AlertItem): Record<string, unknown> {
  const icon =
    a.kind === 'resolved'
      ? ':white_check_mark:'
      : a.kind === 'acknowledged'
        ? ':eyes:'
        : a.kind !== 'firing' && a.kind !== 'reminder'
          ? ':information_source:'
          : a.severity === 'critical'
            ? ':red_circle:'
            : ':warning:';
  const title = a.hostUrl ? `<${a.hostUrl}|${alertTitle(a)}>` : alertTitle(a);
  const lines = [`${icon} *${title}*`, alertDetail(a)];
  if (a.reason) lines.push(a.reason);
  return { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } };
}

/** The Slack payload for a message (pure). */
export function slackPayload(m: NotificationMessage): Record<string, unknown> {
  const title = messageTitle(m);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
  ];
  if (m.type === 'test') {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `Notifications from OpenManager Vibe reach this channel.` },
    });
  }
  for (const a of m.alerts.slice(0, MAX_ALERTS)) blocks.push(section(a));
  if (m.alerts.length > MAX_ALERTS) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `…and ${m.alerts.length - MAX_ALERTS} more` } });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `OpenManager Vibe · <${m.dashboardUrl}|Open dashboard> · ${m.createdAt}` }],
  });
  return { text: title, blocks };
}

/** The HTTP request for a Slack channel. */
export function slackRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const url = requireString(config, 'url', 'set {"url": "https://hooks.slack.com/services/…"}');
  return {
    url,
    what: 'Slack webhook',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(slackPayload(m)),
  };
}

/** Sends to a Slack incoming webhook. */
export const send: Send = (m, config, transport) => deliver(() => slackRequest(m, config), transport);
