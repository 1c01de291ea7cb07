/**
 * Telegram through a bot: POST https://api.telegram.org/bot<token>/sendMessage with HTML text.
 * Config: {"bot_token": "123456:ABC…", "chat_id": "-100…" | "@channel"}.
 */
import { alertDetail, alertTitle, messageTitle, type NotificationMessage } from '../message.ts';
import { deliver, requireString } from './deliver.ts';
import { ChannelConfigError, type ChannelConfig, type OutgoingRequest, type Send } from './types.ts';

/** The Bot API origin. */
export const TELEGRAM_API_ORIGIN = 'https://api.telegram.org';
const MAX_TEXT = 4096;

/** Escapes text for Telegram's HTML parse mode (only &, < and > are special; " inside href). */
export const escapeTelegram = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The message text (HTML), whole alerts only, within Telegram's 4096 characters (pure). */
export function telegramText(m: NotificationMessage): string {
  const head = `<b>${escapeTelegram(messageTitle(m))}</b>`;
  if (m.type === 'test')
    return `${head}\nNotifications from OpenManager Vibe reach this chat.\n<a href="${escapeTelegram(m.dashboardUrl)}">Open dashboard</a>`;
  const blocks = m.alerts.map((a) => {
    const title = a.hostUrl
      ? `<a href="${escapeTelegram(a.hostUrl)}">${escapeTelegram(alertTitle(a))}</a>`
      : escapeTelegram(alertTitle(a));
    return [title, escapeTelegram(alertDetail(a)), a.reason ? `<i>${escapeTelegram(a.reason)}</i>` : '']
      .filter(Boolean)
      .join('\n');
  });
  let text = m.alerts.length === 1 ? blocks[0]! : head;
  if (m.alerts.length === 1) return text.slice(0, MAX_TEXT);
  for (let i = 0; i < blocks.length; i++) {
    const more = `\n\n…and ${blocks.length - i} more`;
    if (text.length + 2 + blocks[i]!.length + more.length > MAX_TEXT) return text + more;
    text += `\n\n${blocks[i]}`;
  }
  return text;
}

function chatId(config: ChannelConfig): number | string {
  const raw = config.chat_id;
  const v = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (/^-?\d{1,20}$/.test(v)) return Number(v);
  if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v)) return v;
  throw new ChannelConfigError(
    'Channel secrets "chat_id" must be a chat id (e.g. -1001234567890) or a channel username (@mychannel)',
  );
}

/** The HTTP request for a Telegram channel. */
export function telegramRequest(m: NotificationMessage, config: ChannelConfig): OutgoingRequest {
  const token = requireString(config, 'bot_token', 'set the token @BotFather gave the bot, e.g. "123456:ABC-DEF…"');
  if (!/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/.test(token))
    throw new ChannelConfigError(
      'Channel secrets "bot_token" is not a bot token: it looks like 123456789:AAE…, from @BotFather',
    );
  const chat = chatId(config);
  return {
    url: `${TELEGRAM_API_ORIGIN}/bot${token}/sendMessage`,
    what: 'Telegram Bot API',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      chat_id: chat,
      text: telegramText(m),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    }),
  };
}

/** Sends through the Telegram Bot API. */
export const send: Send = (m, config, transport) => deliver(() => telegramRequest(m, config), transport);
