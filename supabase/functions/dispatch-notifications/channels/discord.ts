/** Discord webhook: one embed per alert (up to 10), coloured by severity, linking to the host page. Config: {"url"}. */
import { alertTitle, formatValue, messageTitle, type AlertItem, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import type { ChannelConfig, OutgoingRequest, Send } from './types.ts';

/** Embed colours: critical red, warning amber, resolved green, test (and acknowledged, other updates) blue. */
export const DISCORD_COLORS = Object.freeze({
  critical: 0xe5484d,
  warning: 0xf5a524,
  resolved: 0x30a46c,
  test: 0x3e63dd,
});
const MAX_EMBEDS = 10;

/** The colour of one alert's embed. */
export function discordColor(a: AlertItem): number {
  if (a.kind === 'resolved') return DISCORD_COLORS.resolved;
  return a.kind === 'firing' || a.kind === 'reminder' ? DISCORD_COLORS[a.severity] : DISCORD_COLORS.test;
}

function embed(a: AlertItem): Record<string, unknown> {
  const fields = [
    { name: 'Metric', value: a.metric, inline: true },
    { name: 'Value', value: formatValue(a.value), inline: true },
    a.bandLow !== null && a.bandHigh !== null
      ? {
          name: 'Expected',
          value: `${formatValue(a.bandLow)}–${formatValue(a.bandHigh)} (score ${formatValue(a.score)})`,
          inline: true,
        }
      : { name: 'Threshold', value: formatValue(a.threshold), inline: true },
  ];
  return {
    title: alertTitle(a).slice(0, 256),
    ...(a.hostUrl ? { url: a.hostUrl } : {}),
    ...(a.reason ? { description: a.reason.slice(0, 2000) } : {}),
    color: discordColor(a),
    fields,
    timestamp: new Date(a.occurredAt).toISOString(),
    footer: { text: 'OpenManager Vibe' },
  };
}

/** The Discord payload for a message (pure). */
export function discordPayload(m: NotificationMessage): Record<string, unknown> {
  const embeds =
    m.type === 'test'
      ? [
          {
            title: messageTitle(m),
            description: 'Notifications from OpenManager Vibe reach this channel.',
            color: DISCORD_COLORS.test,
            timestamp: m.createdAt,
            footer: { text: 'OpenManager Vibe' },
          },
        ]
      : m.alerts.slice(0, MAX_EMBEDS).map(embed);
  const more = m.alerts.length > MAX_EMBEDS ? ` (showing ${MAX_EMBEDS} of ${m.alerts.length})` : '';
  return {
    username: 'OpenManager Vibe',
    content: `${messageTitle(m)}${more}`.slice(0, 2000),
    embeds,
    allowed_mentions: { parse: [] },
  };
}

/** The HTTP request for a Discord channel. */
export function discordRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const url = requireString(config, 'url', 'set {"url": "https://discord.com/api/webhooks/…"}');
  return {
    url,
    what: 'Discord webhook',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(discordPayload(m)),
  };
}

/** Sends to a Discord webhook. */
export const send: Send = (m, config, transport) => deliver(() => discordRequest(m, config), transport);
