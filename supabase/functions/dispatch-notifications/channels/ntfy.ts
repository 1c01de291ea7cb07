/**
 * ntfy (ntfy.sh or a self-hosted server): JSON publish, POST <server>/ with {"topic", "title", "message",
 * "priority", "tags", "click"}, and `Authorization: Bearer <token>` for protected topics.
 * Config: {"server"?: "https://ntfy.sh", "topic", "token"?}.
 */
import {
  alertDetail,
  alertTitle,
  isResolved,
  messageTitle,
  type AlertItem,
  type NotificationMessage,
} from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest, type Send } from './types.ts';

/** The public server, when the channel names none. */
export const DEFAULT_NTFY_SERVER = 'https://ntfy.sh';
const MAX_MESSAGE = 4000;

/** ntfy priority 1–5: critical firing 5, warning 4, anything else 3 (default). */
export function ntfyPriority(alerts: AlertItem[]): number {
  const active = alerts.filter((a) => a.kind === 'firing' || a.kind === 'reminder');
  if (active.some((a) => a.severity === 'critical')) return 5;
  return active.length > 0 ? 4 : 3;
}

/** Emoji tags ntfy shows before the title. */
function ntfyTags(m: NotificationMessage): string[] {
  if (m.type === 'test') return ['white_check_mark'];
  const p = ntfyPriority(m.alerts);
  if (p === 5) return ['rotating_light'];
  if (p === 4) return ['warning'];
  if (m.alerts.every(isResolved)) return ['white_check_mark'];
  return m.alerts.some((a) => a.kind === 'acknowledged') ? ['eyes'] : ['information_source'];
}

/** The JSON publish body (pure). */
export function ntfyPayload(m: NotificationMessage, topic: string): Record<string, unknown> {
  const lines =
    m.type === 'test'
      ? ['Notifications from OpenManager Vibe reach this topic.']
      : m.alerts.length === 1
        ? [alertDetail(m.alerts[0]!), m.alerts[0]!.reason ?? ''].filter(Boolean)
        : m.alerts.map((a) => `${alertTitle(a)}: ${alertDetail(a)}`);
  const only = m.alerts.length === 1 ? m.alerts[0]! : null;
  return {
    topic,
    title: messageTitle(m).slice(0, 250),
    message: lines.join('\n').slice(0, MAX_MESSAGE),
    priority: m.type === 'test' ? 3 : ntfyPriority(m.alerts),
    tags: ntfyTags(m),
    click: only?.hostUrl ?? m.dashboardUrl,
  };
}

/** The HTTP request for an ntfy channel. */
export function ntfyRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const topic = requireString(config, 'topic', 'set the topic to publish to, e.g. "vibe-alerts-7f3k"');
  if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic))
    throw new ChannelConfigError('Channel secrets "topic" may hold only letters, digits, - and _ (1–64 characters)');
  const server =
    typeof config.server === 'string' && config.server.trim()
      ? config.server.trim().replace(/\/+$/, '')
      : DEFAULT_NTFY_SERVER;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (config.token !== undefined && config.token !== null && config.token !== '') {
    if (typeof config.token !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(config.token.trim()))
      throw new ChannelConfigError('Channel secrets "token" must be an ntfy access token (tk_…)');
    headers.Authorization = `Bearer ${config.token.trim()}`;
  }
  return { url: `${server}/`, what: 'ntfy server', headers, body: JSON.stringify(ntfyPayload(m, topic)) };
}

/** Publishes to an ntfy topic. */
export const send: Send = (m, config, transport) => deliver(() => ntfyRequest(m, config), transport);
