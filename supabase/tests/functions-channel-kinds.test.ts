/**
 * The channel kinds added for issue 15 through the real dispatch-notifications function: the email providers
 * (Resend, Postmark, SendGrid, Mailgun), Teams, Telegram, PagerDuty and ntfy. The fixed provider APIs reach a
 * local receiver through VIBE_PROVIDER_API_BASE (set by the test run's global setup, never a channel setting);
 * Teams and ntfy URLs are channel settings and pass the URL guard like any destination. Each test asserts the
 * exact request (method, path, headers incl. auth, body), and the error class for a broken setting.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNotifyReceiver, type Delivery, type NotifyReceiver } from './functions-receiver.ts';
import { clientWith, createTeam, env, superuser, uniq, type TeamFixture } from './helpers.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const db = superuser();
const DASHBOARD = 'http://127.0.0.1:5173';
let rx: NotifyReceiver;
let team: TeamFixture;

beforeAll(async () => {
  rx = await startNotifyReceiver(inject('providerApiPort'));
  team = await createTeam(db);
});
afterAll(async () => {
  await rx.close();
  await db.end();
});

async function channel(kind: string, config: Record<string, unknown>, name = `${kind}-${uniq()}`): Promise<string> {
  const c = await db.query<{ id: string }>(
    `insert into channels (team_id, name, kind) values ($1, $2, $3) returning id`,
    [team.teamId, name, kind],
  );
  const id = c.rows[0]!.id;
  await db.query(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
    id,
    team.teamId,
    config,
  ]);
  return id;
}

/** The dashboard's "Send test" (service key here; the browser test covers the signed-in admin). */
async function sendTest(channelId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/dispatch-notifications`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` },
    body: JSON.stringify({ channel_id: channelId }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The one new delivery to `path` after `before` deliveries there. */
async function deliveredTo(path: string, before: number): Promise<Delivery> {
  const got = await rx.waitFor(path, before + 1);
  return got[before]!;
}

const TEST_TEXT = (name: string) =>
  `Test message for channel "${name}"\n\nNotifications from OpenManager Vibe reach this address.\n\n${DASHBOARD}\n`;
const TEST_HTML = (name: string) =>
  `<h2>Test message for channel &quot;${name}&quot;</h2><p>Notifications from OpenManager Vibe reach this address.</p><p><a href="${DASHBOARD}">Open the dashboard</a></p>`;

describe('email providers', () => {
  it('Resend: POST /emails, Bearer key, Idempotency-Key, JSON', async () => {
    const name = `resend-${uniq()}`;
    const id = await channel(
      'email',
      { provider: 'resend', from: 'Vibe <alerts@example.com>', to: ['ops@example.com'], api_key: 're_test_1' },
      name,
    );
    const before = rx.to('/emails').length;
    expect(await sendTest(id)).toEqual({ status: 200, body: { ok: true, channel_id: id, status: 200 } });
    const d = await deliveredTo('/emails', before);
    expect(d.method).toBe('POST');
    expect(d.path).toBe('/emails');
    expect(d.headers.authorization).toBe('Bearer re_test_1');
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers['idempotency-key']).toMatch(/^vibe-test-[0-9a-f-]{36}$/);
    expect(d.json).toEqual({
      from: 'Vibe <alerts@example.com>',
      to: ['ops@example.com'],
      subject: `[OpenManager Vibe] Test message for channel "${name}"`,
      text: TEST_TEXT(name),
      html: TEST_HTML(name),
    });
  });

  it('Postmark: POST /email with X-Postmark-Server-Token and PascalCase fields', async () => {
    const name = `postmark-${uniq()}`;
    const id = await channel(
      'email',
      {
        provider: 'postmark',
        from: 'alerts@example.com',
        to: ['a@example.com', 'b@example.com'],
        api_key: 'pm-server-token',
      },
      name,
    );
    const before = rx.to('/email').filter((d) => d.path === '/email').length;
    expect((await sendTest(id)).status).toBe(200);
    const d = (await rx.waitFor('/email', 1)).filter((x) => x.path === '/email')[before]!;
    expect(d.method).toBe('POST');
    expect(d.headers['x-postmark-server-token']).toBe('pm-server-token');
    expect(d.headers.accept).toBe('application/json');
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.headers.authorization).toBeUndefined();
    expect(d.json).toEqual({
      From: 'alerts@example.com',
      To: 'a@example.com, b@example.com',
      Subject: `[OpenManager Vibe] Test message for channel "${name}"`,
      TextBody: TEST_TEXT(name),
      HtmlBody: TEST_HTML(name),
      MessageStream: 'outbound',
    });
  });

  it('SendGrid: POST /v3/mail/send, Bearer key, personalizations and text before html', async () => {
    const name = `sendgrid-${uniq()}`;
    const id = await channel(
      'email',
      {
        provider: 'sendgrid',
        region: 'eu',
        from: 'Vibe Alerts <alerts@example.com>',
        to: 'ops@example.com, oncall@example.com',
        api_key: 'SG.key',
      },
      name,
    );
    const before = rx.to('/v3/mail/send').length;
    expect((await sendTest(id)).status).toBe(200);
    const d = await deliveredTo('/v3/mail/send', before);
    expect(d.headers.authorization).toBe('Bearer SG.key');
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.json).toEqual({
      personalizations: [{ to: [{ email: 'ops@example.com' }, { email: 'oncall@example.com' }] }],
      from: { email: 'alerts@example.com', name: 'Vibe Alerts' },
      subject: `[OpenManager Vibe] Test message for channel "${name}"`,
      content: [
        { type: 'text/plain', value: TEST_TEXT(name) },
        { type: 'text/html', value: TEST_HTML(name) },
      ],
    });
  });

  it('Mailgun: POST /v3/<domain>/messages, form-encoded, basic auth api:<key>', async () => {
    const name = `mailgun-${uniq()}`;
    const id = await channel(
      'email',
      {
        provider: 'mailgun',
        from: 'Vibe <alerts@mg.example.com>',
        to: ['a@example.com', 'b@example.com'],
        api_key: 'key-123',
      },
      name,
    );
    const before = rx.to('/v3/mg.example.com/messages').length;
    expect((await sendTest(id)).status).toBe(200);
    const d = await deliveredTo('/v3/mg.example.com/messages', before);
    expect(d.method).toBe('POST');
    expect(d.headers.authorization).toBe(`Basic ${Buffer.from('api:key-123').toString('base64')}`);
    expect(d.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(d.body);
    expect([...form]).toEqual([
      ['from', 'Vibe <alerts@mg.example.com>'],
      ['to', 'a@example.com'],
      ['to', 'b@example.com'],
      ['subject', `[OpenManager Vibe] Test message for channel "${name}"`],
      ['text', TEST_TEXT(name)],
      ['html', TEST_HTML(name)],
    ]);
  });

  it('a missing API key is channel_config (400) and nothing is sent', async () => {
    const id = await channel('email', { provider: 'postmark', from: 'alerts@example.com', to: ['a@example.com'] });
    const before = rx.deliveries.length;
    const res = await sendTest(id);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('channel_config');
    expect(res.body.message).toBe('Channel secrets lack "api_key": set a Postmark server token');
    const bad = await channel('email', {
      provider: 'sparkpost',
      from: 'alerts@example.com',
      to: ['a@example.com'],
      api_key: 'k',
    });
    expect((await sendTest(bad)).body.message).toBe(
      'Channel secrets "provider" must be one of resend, postmark, sendgrid, mailgun, not "sparkpost"',
    );
    expect(rx.deliveries.length).toBe(before);
  });
});

describe('Teams, Telegram, PagerDuty, ntfy', () => {
  it('Teams: the workflow URL gets a message with one Adaptive Card', async () => {
    const name = `teams-${uniq()}`;
    const id = await channel('teams', { url: rx.url('/workflows/abc/triggers/manual/paths/invoke?sig=s3cret') }, name);
    expect((await sendTest(id)).status).toBe(200);
    const d = await deliveredTo('/workflows/abc', 0);
    expect(d.path).toBe('/workflows/abc/triggers/manual/paths/invoke?sig=s3cret');
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.json).toEqual({
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
            body: [
              {
                type: 'TextBlock',
                text: `Test message for channel "${name}"`,
                size: 'Medium',
                weight: 'Bolder',
                wrap: true,
              },
              { type: 'TextBlock', text: 'Notifications from OpenManager Vibe reach this channel.', wrap: true },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Open dashboard', url: DASHBOARD }],
          },
        },
      ],
    });
  });

  it('Teams: a private address is blocked (the URL guard), never fetched', async () => {
    const id = await channel('teams', { url: 'https://10.1.2.3/workflows/x' });
    const res = await sendTest(id);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('destination_blocked');
    expect(String(res.body.message)).toContain('10.1.2.3, a private address');
  });

  it('Telegram: POST /bot<token>/sendMessage with HTML text', async () => {
    const name = `tg-${uniq()}`;
    const token = '123456789:AAEtestTokenForVibe_0123456789';
    const id = await channel('telegram', { bot_token: token, chat_id: '-1001234567890' }, name);
    expect((await sendTest(id)).status).toBe(200);
    const d = await deliveredTo(`/bot${token}/sendMessage`, 0);
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.json).toEqual({
      chat_id: -1001234567890,
      text: `<b>Test message for channel &quot;${name}&quot;</b>\nNotifications from OpenManager Vibe reach this chat.\n<a href="${DASHBOARD}">Open dashboard</a>`,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
  });

  it('Telegram: a refused token is http_error 401 (502), a malformed one channel_config', async () => {
    const token = '42:AAEwrongTokenButWellFormed_xyz';
    rx.answer(`/bot${token}/`, 401);
    const id = await channel('telegram', { bot_token: token, chat_id: '@vibe_alerts' });
    const res = await sendTest(id);
    expect(res.status).toBe(502);
    expect(res.body.error).toBe('http_error');
    expect(String(res.body.message)).toMatch(/^Telegram Bot API answered HTTP 401/);
    const bad = await channel('telegram', { bot_token: 'not a token', chat_id: '1' });
    expect((await sendTest(bad)).body.error).toBe('channel_config');
    const noChat = await channel('telegram', { bot_token: '1:AAEwellFormedTokenForVibe_12' });
    expect((await sendTest(noChat)).body.message).toBe(
      'Channel secrets "chat_id" must be a chat id (e.g. -1001234567890) or a channel username (@mychannel)',
    );
  });

  it('PagerDuty: the test triggers and resolves one test incident at /v2/enqueue', async () => {
    const key = 'R0UT1NGKEY0000000000000000000001';
    const id = await channel('pagerduty', { routing_key: key });
    const before = rx.to('/v2/enqueue').length;
    expect((await sendTest(id)).status).toBe(200);
    const got = await rx.waitFor('/v2/enqueue', before + 2);
    const [trigger, resolve] = got.slice(before) as [Delivery, Delivery];
    expect(trigger.headers['content-type']).toBe('application/json');
    expect(trigger.headers.authorization).toBeUndefined();
    const t = trigger.json as { payload: { timestamp: string } };
    expect(Number.isNaN(Date.parse(t.payload.timestamp))).toBe(false);
    expect(trigger.json).toEqual({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: `vibe-test:${id}`,
      payload: {
        summary: expect.stringContaining('Test message for channel'),
        source: 'OpenManager Vibe',
        severity: 'info',
        timestamp: t.payload.timestamp,
      },
      client: 'OpenManager Vibe',
      client_url: DASHBOARD,
    });
    expect(resolve.json).toEqual({ routing_key: key, event_action: 'resolve', dedup_key: `vibe-test:${id}` });
  });

  it('ntfy: JSON publish to the server root with the topic, Bearer token when set', async () => {
    const name = `ntfy-${uniq()}`;
    const id = await channel('ntfy', { server: rx.url('/ntfy/'), topic: 'vibe-alerts_1', token: 'tk_abc123' }, name);
    const before = rx.to('/ntfy/').length;
    expect((await sendTest(id)).status).toBe(200);
    const d = await deliveredTo('/ntfy/', before);
    expect(d.path).toBe('/ntfy/');
    expect(d.headers.authorization).toBe('Bearer tk_abc123');
    expect(d.headers['content-type']).toBe('application/json');
    expect(d.json).toEqual({
      topic: 'vibe-alerts_1',
      title: `Test message for channel "${name}"`,
      message: 'Notifications from OpenManager Vibe reach this topic.',
      priority: 3,
      tags: ['white_check_mark'],
      click: DASHBOARD,
    });
    const bad = await channel('ntfy', { topic: 'has spaces' });
    expect((await sendTest(bad)).body).toMatchObject({ error: 'channel_config' });
  });
});

describe('alerts through the outbox', () => {
  it('one alert triggers then resolves PagerDuty with one dedup key, and mails through Mailgun', {
    timeout: 90_000,
  }, async () => {
    const key = 'R0UT1NGKEY0000000000000000000002';
    const pd = await channel('pagerduty', { routing_key: key, region: 'eu' });
    const mg = await channel('email', {
      provider: 'mailgun',
      domain: 'mail.example.org',
      from: 'alerts@example.org',
      to: ['ops@example.org'],
      api_key: 'key-9',
    });
    const broken = await channel('email', { provider: 'resend', from: 'alerts@example.org', to: ['ops@example.org'] });
    const hostName = `db-${uniq()}`;
    const h = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
      team.teamId,
      hostName,
    ]);
    const hostId = h.rows[0]!.id;
    const r = await db.query<{ id: string }>(
      `insert into alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id, channel_ids)
       values ($1, 'CPU high', 'cpu_total', '>', 90, 'critical', 'host', $2, $3) returning id`,
      [team.teamId, hostId, [pd, mg, broken]],
    );
    const ruleId = r.rows[0]!.id;
    const ts = Date.now() - 30_000;
    const pdBefore = rx
      .to('/v2/enqueue')
      .filter((d) => (d.json as { routing_key?: string }).routing_key === key).length;
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, $2, 97.25)`, [hostId, new Date(ts)]);
    const ofKey = () => rx.to('/v2/enqueue').filter((d) => (d.json as { routing_key?: string }).routing_key === key);
    await waitFor(() => ofKey().length >= pdBefore + 1, { timeoutMs: 60_000, message: () => 'the PagerDuty trigger' });
    await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, $2, 10)`, [
      hostId,
      new Date(ts + 1000),
    ]);
    await waitFor(() => ofKey().length >= pdBefore + 2, { timeoutMs: 60_000, message: () => 'the PagerDuty resolve' });
    const [trigger, resolve] = ofKey().slice(pdBefore) as [Delivery, Delivery];
    const dedup = `vibe:${ruleId}:${hostId}`;
    const hostUrl = `${DASHBOARD}/hosts/${hostId}`;
    expect(trigger.json).toEqual({
      routing_key: key,
      event_action: 'trigger',
      dedup_key: dedup,
      payload: {
        summary: `Critical: CPU high on ${hostName}: cpu_total = 97.3 (threshold 90)`,
        source: hostName,
        severity: 'critical',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        class: 'cpu_total',
        custom_details: { rule: 'CPU high', metric: 'cpu_total', value: 97.25, threshold: 90 },
      },
      client: 'OpenManager Vibe',
      client_url: hostUrl,
      links: [{ href: hostUrl, text: `${hostName} on OpenManager Vibe` }],
    });
    expect(resolve.json).toEqual({ routing_key: key, event_action: 'resolve', dedup_key: dedup });

    const mails = await rx.waitFor('/v3/mail.example.org/messages', 2, 30_000);
    const subjects = mails.map((d) => new URLSearchParams(d.body).get('subject'));
    expect(subjects).toEqual([
      `[OpenManager Vibe] Critical: CPU high on ${hostName}`,
      `[OpenManager Vibe] Resolved: CPU high on ${hostName}`,
    ]);
    const rows = await waitFor(
      async () => {
        const q = await db.query<{ status: string; last_error: string | null; detail: string | null }>(
          `select n.status, n.last_error, d.detail from notifications n
             left join notification_error_details d on d.notification_id = n.id where n.channel_id = $1`,
          [broken],
        );
        return q.rows.length === 2 && q.rows.every((x) => x.status === 'failed') ? q.rows : undefined;
      },
      { timeoutMs: 30_000, message: () => 'the broken channel rows to fail' },
    );
    expect(rows.map((x) => x.last_error)).toEqual(['channel_config', 'channel_config']);
    expect(rows[0]!.detail).toBe('Channel secrets lack "api_key": set a Resend API key (re_…)');
  });
});

describe("the form's calls: channel_settings and set_channel_config", () => {
  it('hide secrets, merge settings, and refuse viewers, other teams and bad input', async () => {
    const admin = clientWith(team.adminToken);
    const viewer = clientWith(team.viewerToken);
    const other = await createTeam(db);
    const outsider = clientWith(other.adminToken);
    const made = await admin
      .from('channels')
      .insert({ team_id: team.teamId, name: `pd-${uniq()}`, kind: 'pagerduty' })
      .select('id')
      .single();
    expect(made.error).toBeNull();
    const id = (made.data as { id: string }).id;
    const key = 'R0UT1NGKEY0000000000000000000004';
    expect(
      (await admin.rpc('set_channel_config', { p_channel_id: id, p_config: { routing_key: key, region: 'eu' } })).error,
    ).toBeNull();

    const settings = async () => {
      const { data, error } = await admin.rpc('channel_settings', { p_team_id: team.teamId });
      expect(error).toBeNull();
      return (data as { channel_id: string; settings: unknown; secrets_set: string[] }[]).find(
        (r) => r.channel_id === id,
      );
    };
    expect(await settings()).toEqual({ channel_id: id, settings: { region: 'eu' }, secrets_set: ['routing_key'] });

    // Absent keeps the key, null removes region, a new value replaces.
    expect((await admin.rpc('set_channel_config', { p_channel_id: id, p_config: { region: null } })).error).toBeNull();
    const stored = async () =>
      (await db.query<{ config: unknown }>('select config from channel_secrets where channel_id = $1', [id])).rows[0]!
        .config;
    expect(await stored()).toEqual({ routing_key: key });

    const bad = await admin.rpc('set_channel_config', { p_channel_id: id, p_config: ['not', 'an', 'object'] });
    expect(bad.error?.code).toBe('22023');
    expect(bad.error?.message).toBe('Cannot save the channel settings: send a JSON object, e.g. {"url": "https://…"}');
    const byViewer = await viewer.rpc('set_channel_config', {
      p_channel_id: id,
      p_config: { routing_key: 'x'.repeat(32) },
    });
    expect(byViewer.error?.code).toBe('42501');
    const byOutsider = await outsider.rpc('set_channel_config', {
      p_channel_id: id,
      p_config: { routing_key: 'x'.repeat(32) },
    });
    expect(byOutsider.error?.code).toBe('P0002');
    expect(await stored()).toEqual({ routing_key: key });

    expect((await viewer.rpc('channel_settings', { p_team_id: team.teamId })).data).toEqual([]);
    expect((await outsider.rpc('channel_settings', { p_team_id: team.teamId })).data).toEqual([]);
    expect(JSON.stringify(await settings())).not.toContain(key);
  });
});
