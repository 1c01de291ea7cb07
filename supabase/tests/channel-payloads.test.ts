/**
 * The channels' pure parts: how each event kind (firing, resolved, acknowledged, reminder, unknown) and a
 * series read in every channel, PagerDuty's action and dedup key per alert, provider URLs per region, the
 * test-only provider redirection, and the config errors. The HTTP side is in functions-channel-kinds.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { emailProviderRequest, parseAddress } from '../functions/dispatch-notifications/channels/email-providers.ts';
import { ntfyPayload, ntfyRequest } from '../functions/dispatch-notifications/channels/ntfy.ts';
import {
  pagerdutyDedupKey,
  pagerdutyEvent,
  pagerdutyRequests,
} from '../functions/dispatch-notifications/channels/pagerduty.ts';
import { slackPayload } from '../functions/dispatch-notifications/channels/slack.ts';
import { teamsPayload } from '../functions/dispatch-notifications/channels/teams.ts';
import { telegramRequest, telegramText } from '../functions/dispatch-notifications/channels/telegram.ts';
import { ChannelConfigError } from '../functions/dispatch-notifications/channels/types.ts';
import {
  alertTitle,
  messageTitle,
  toAlertItem,
  type AlertItem,
  type ClaimedEvent,
  type NotificationMessage,
} from '../functions/dispatch-notifications/message.ts';
import { parseProviderBase, redirectProvider } from '../functions/dispatch-notifications/provider-base.ts';

const DASH = 'https://vibe.example.com';
const RULE = '11111111-1111-4111-8111-111111111111';
const HOST = '22222222-2222-4222-8222-222222222222';

function event(over: Partial<ClaimedEvent> = {}): ClaimedEvent {
  return {
    id: 7,
    kind: 'firing',
    rule_id: RULE,
    severity: 'critical',
    rule_name: 'Disk full',
    metric: 'disk_used_pct',
    value: 96.44,
    threshold: 90,
    host_id: HOST,
    reason: null,
    occurred_at: '2026-12-05T10:00:00.000Z',
    ...over,
  };
}

const item = (over: Partial<ClaimedEvent> = {}, host: { name: string } | null = { name: 'web-1' }): AlertItem =>
  toAlertItem(event(over), host, DASH);

function message(alerts: AlertItem[]): NotificationMessage {
  return {
    type: 'alert',
    channel: { id: 'c1', name: 'ops', kind: 'pagerduty' },
    teamId: 't1',
    alerts,
    idempotencyKey: 'vibe-x',
    dashboardUrl: DASH,
    createdAt: '2026-12-05T10:00:01.000Z',
  };
}

describe('event kinds and series in titles', () => {
  it('reads well for every kind, with a series, and for rules on services without a host', () => {
    expect(alertTitle(item())).toBe('Critical: Disk full on web-1');
    expect(alertTitle(item({ series: '/var' }))).toBe('Critical: Disk full on web-1 (/var)');
    expect(alertTitle(item({ kind: 'resolved', series: '/var' }))).toBe('Resolved: Disk full on web-1 (/var)');
    expect(alertTitle(item({ kind: 'acknowledged' }))).toBe('Acknowledged: Disk full on web-1');
    expect(alertTitle(item({ kind: 'reminder', severity: 'warning' }))).toBe(
      'Still firing (warning): Disk full on web-1',
    );
    expect(alertTitle(item({ kind: 'escalated_once' }))).toBe('Escalated once: Disk full on web-1');
    expect(alertTitle(item({ host_id: null, series: 'checkout GET /cart', rule_name: 'Error rate' }, null))).toBe(
      'Critical: Error rate on checkout GET /cart',
    );
    expect(alertTitle(item({ host_id: null, rule_name: 'API check down' }, null))).toBe('Critical: API check down');
    expect(item({ series: '' }).series).toBeNull();
    expect(item({ kind: 'acknowledged', actor_email: 'ana@example.com', note: 'on it' }).reason).toBe(
      'Acknowledged by ana@example.com: on it',
    );
    expect(item({ kind: 'acknowledged', actor_email: null, note: null }).reason).toBe('Acknowledged by a team member');
  });

  it('counts each kind in a group title', () => {
    const m = message([item(), item({ kind: 'resolved' }), item({ kind: 'acknowledged' }), item({ kind: 'reminder' })]);
    expect(messageTitle(m)).toBe('4 alerts: 1 firing, 1 resolved, 1 acknowledged, 1 reminder');
    expect(messageTitle(message([item(), item()]))).toBe('2 alerts: 2 firing, 0 resolved');
  });

  it('gives acknowledged and unknown kinds their own icon in Slack', () => {
    const text = (a: AlertItem) =>
      ((slackPayload(message([a])).blocks as { text?: { text: string } }[])[1]!.text!.text as string).split(' ')[0];
    expect(text(item())).toBe(':red_circle:');
    expect(text(item({ kind: 'acknowledged' }))).toBe(':eyes:');
    expect(text(item({ kind: 'something_new' }))).toBe(':information_source:');
  });
});

describe('PagerDuty', () => {
  const KEY = 'R0UT1NGKEY0000000000000000000003';
  it('triggers, acknowledges and resolves one incident per rule, host and series', () => {
    const firing = item({ series: '/var' });
    const dedup = `vibe:${RULE}:${HOST}:/var`;
    expect(pagerdutyDedupKey(firing)).toBe(dedup);
    expect(pagerdutyDedupKey(item({ kind: 'resolved', series: '/var' }))).toBe(dedup);
    expect(pagerdutyDedupKey(item({ series: '/home' }))).not.toBe(dedup);
    expect(pagerdutyDedupKey(item({ host_id: null }, null))).toBe(`vibe:${RULE}:-`);
    const m = message([firing]);
    expect(pagerdutyEvent(item({ kind: 'acknowledged', series: '/var' }), KEY, m)).toEqual({
      routing_key: KEY,
      event_action: 'acknowledge',
      dedup_key: dedup,
    });
    expect(pagerdutyEvent(item({ kind: 'resolved', series: '/var' }), KEY, m)).toEqual({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: dedup,
    });
    const trigger = pagerdutyEvent(item({ kind: 'reminder', series: '/var' }), KEY, m) as Record<string, unknown>;
    expect(trigger.event_action).toBe('trigger');
    expect(trigger.payload).toMatchObject({
      component: '/var',
      source: 'web-1 (/var)',
      custom_details: { reminder: true },
    });
    expect(pagerdutyEvent(item({ kind: 'escalated' }), KEY, m)).toBeNull();
  });

  it("sends to the region's endpoint and refuses a broken key", () => {
    const m = message([item(), item({ kind: 'unknown_kind' }), item({ kind: 'resolved' })]);
    const us = pagerdutyRequests(m, { routing_key: KEY });
    expect(us.map((r) => r.url)).toEqual([
      'https://events.pagerduty.com/v2/enqueue',
      'https://events.pagerduty.com/v2/enqueue',
    ]);
    expect(pagerdutyRequests(m, { routing_key: KEY, region: 'eu' })[0]!.url).toBe(
      'https://events.eu.pagerduty.com/v2/enqueue',
    );
    expect(() => pagerdutyRequests(m, { routing_key: 'short' })).toThrow(ChannelConfigError);
    expect(() => pagerdutyRequests(m, { routing_key: KEY, region: 'ap' })).toThrow('"region" must be "us" or "eu"');
  });
});

describe('email providers', () => {
  const mail = { from: 'Vibe <a@mg.example.com>', to: ['o@example.com'], subject: 's', text: 't', html: '<p>h</p>' };
  it('picks the regional endpoint', () => {
    const url = (config: Record<string, unknown>) => emailProviderRequest({ api_key: 'k', ...config }, mail, 'i').url;
    expect(url({})).toBe('https://api.resend.com/emails');
    expect(url({ provider: 'postmark' })).toBe('https://api.postmarkapp.com/email');
    expect(url({ provider: 'sendgrid' })).toBe('https://api.sendgrid.com/v3/mail/send');
    expect(url({ provider: 'sendgrid', region: 'eu' })).toBe('https://api.eu.sendgrid.com/v3/mail/send');
    expect(url({ provider: 'mailgun' })).toBe('https://api.mailgun.net/v3/mg.example.com/messages');
    expect(url({ provider: 'mailgun', region: 'eu', domain: 'MG.Other.org' })).toBe(
      'https://api.eu.mailgun.net/v3/mg.other.org/messages',
    );
    expect(() => url({ provider: 'postmark', region: 'eu' })).toThrow('postmark has no EU API endpoint');
    expect(() => url({ provider: 'mailgun', domain: '../admin' })).toThrow(
      '"domain" must be your Mailgun sending domain',
    );
    expect(() => emailProviderRequest({ api_key: 'two words' }, mail, 'i')).toThrow(
      'spaces or characters no API key has',
    );
  });

  it('parses senders', () => {
    expect(parseAddress('Vibe <a@b.c>')).toEqual({ email: 'a@b.c', name: 'Vibe' });
    expect(parseAddress('"Ops, EU" <a@b.c>')).toEqual({ email: 'a@b.c', name: 'Ops, EU' });
    expect(parseAddress('a@b.c')).toEqual({ email: 'a@b.c' });
    expect(parseAddress('not an address')).toBeNull();
  });
});

describe('Telegram, ntfy, Teams', () => {
  it('escapes HTML and keeps whole alerts within 4096 characters', () => {
    const one = telegramText(message([item({ reason: 'a < b & c' })]));
    expect(one).toBe(
      `<a href="${DASH}/hosts/${HOST}">Critical: Disk full on web-1</a>\ndisk_used_pct = 96.4 (threshold 90)\n<i>a &lt; b &amp; c</i>`,
    );
    const many = telegramText(message(Array.from({ length: 200 }, () => item({ reason: 'x'.repeat(50) }))));
    expect(many.length).toBeLessThanOrEqual(4096);
    expect(many).toMatch(/\n\n…and \d+ more$/);
    expect(() => telegramRequest(message([]), { bot_token: '1:AAEwellFormedTokenForVibe_12', chat_id: 'x y' })).toThrow(
      '"chat_id" must be a chat id',
    );
  });

  it('ntfy: priority by severity, default server, bad token refused', () => {
    expect(ntfyPayload(message([item()]), 't')).toMatchObject({
      priority: 5,
      tags: ['rotating_light'],
      click: `${DASH}/hosts/${HOST}`,
    });
    expect(ntfyPayload(message([item({ severity: 'warning' })]), 't')).toMatchObject({
      priority: 4,
      tags: ['warning'],
    });
    expect(ntfyPayload(message([item({ kind: 'resolved' })]), 't')).toMatchObject({
      priority: 3,
      tags: ['white_check_mark'],
    });
    expect(ntfyPayload(message([item({ kind: 'acknowledged' })]), 't')).toMatchObject({ priority: 3, tags: ['eyes'] });
    expect(ntfyRequest(message([item()]), { topic: 't' }).url).toBe('https://ntfy.sh/');
    expect(() => ntfyRequest(message([item()]), { topic: 't', token: 'tk with space' })).toThrow('"token" must be');
  });

  it('Teams: colours each alert and caps the card at 20 alerts', () => {
    const card = (alerts: AlertItem[]) =>
      (teamsPayload(message(alerts)).attachments as { content: { body: Record<string, unknown>[] } }[])[0]!.content
        .body;
    const colours = card([
      item(),
      item({ severity: 'warning' }),
      item({ kind: 'resolved' }),
      item({ kind: 'acknowledged' }),
    ])
      .slice(1)
      .map((c) => (c.items as { color?: string }[])[0]!.color);
    expect(colours).toEqual(['Attention', 'Warning', 'Good', 'Accent']);
    const big = card(Array.from({ length: 25 }, () => item()));
    expect(big).toHaveLength(22);
    expect(big[21]).toMatchObject({ text: '…and 5 more' });
  });
});

describe('test-only provider redirection', () => {
  it('moves only the fixed provider origins, keeping path and query', () => {
    const base = parseProviderBase('http://127.0.0.1:9000');
    expect(redirectProvider('https://api.eu.mailgun.net/v3/d/messages', base)).toBe(
      'http://127.0.0.1:9000/v3/d/messages',
    );
    expect(redirectProvider('https://api.telegram.org/bot1:x/sendMessage', base)).toBe(
      'http://127.0.0.1:9000/bot1:x/sendMessage',
    );
    expect(redirectProvider('https://hooks.example.com/x?y=1', base)).toBe('https://hooks.example.com/x?y=1');
    expect(redirectProvider('https://api.resend.com/emails', null)).toBe('https://api.resend.com/emails');
    expect(parseProviderBase(undefined)).toBeNull();
    expect(() => parseProviderBase('http://127.0.0.1:9000/path')).toThrow('Invalid VIBE_PROVIDER_API_BASE');
  });
});
