/**
 * dispatch-notifications end to end: a breaching sample is inserted, the ingest trigger writes the
 * event and outbox row, pg_net wakes the function after commit, and a local receiver standing in
 * for Slack, Discord, the email API and a webhook asserts each exact payload and the signature.
 * Also: retries with backoff (receiver down, then up: delivered once), the last attempt marked
 * failed, parallel dispatchers never sending a row twice, grouping, blocked URLs, test messages.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifyReceiver, type NotifyReceiver } from './functions-receiver.ts';
import { createTeam, env, superuser, uniq, type TeamFixture } from './helpers.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const db = superuser();
let rx: NotifyReceiver;
let team: TeamFixture;
const DASHBOARD = 'http://127.0.0.1:5173';

beforeAll(async () => {
  rx = await startNotifyReceiver();
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

interface Host {
  id: string;
  name: string;
  send(cpu: number): Promise<void>;
}

async function host(): Promise<Host> {
  const name = `web-${uniq()}`;
  const h = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
    team.teamId,
    name,
  ]);
  let ts = Date.now() - 60_000;
  return {
    id: h.rows[0]!.id,
    name,
    async send(cpu) {
      ts += 1000;
      await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, $2, $3)`, [
        h.rows[0]!.id,
        new Date(ts),
        cpu,
      ]);
    },
  };
}

async function rule(hostId: string, channelIds: string[], fields: Record<string, unknown> = {}): Promise<string> {
  const row = {
    team_id: team.teamId,
    name: 'CPU high',
    metric: 'cpu_total',
    operator: '>',
    threshold: 90,
    severity: 'critical',
    scope: 'host',
    scope_host_id: hostId,
    channel_ids: channelIds,
    ...fields,
  };
  const cols = Object.keys(row);
  const r = await db.query<{ id: string }>(
    `insert into alert_rules (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')}) returning id`,
    Object.values(row),
  );
  return r.rows[0]!.id;
}

/** Outbox rows with last_error (the reason class members see) and detail (what admins see, notification_error_details). */
async function outbox(
  channelId: string,
): Promise<
  { id: number; status: string; attempts: number; last_error: string | null; detail: string | null; due_in: number }[]
> {
  const r = await db.query(
    `select n.id::int, n.status, n.attempts, n.last_error, d.detail, extract(epoch from n.next_attempt_at - now())::float8 as due_in
       from notifications n left join notification_error_details d on d.notification_id = n.id where n.channel_id = $1 order by n.id`,
    [channelId],
  );
  return r.rows;
}

async function waitOutbox(
  channelId: string,
  pred: (rows: Awaited<ReturnType<typeof outbox>>) => boolean,
  timeoutMs = 15_000,
) {
  let rows: Awaited<ReturnType<typeof outbox>> = [];
  return waitFor(async () => (pred((rows = await outbox(channelId))) ? rows : undefined), {
    message: () => `the outbox of ${channelId} to reach the expected state: ${JSON.stringify(rows)}`,
    timeoutMs,
    intervalMs: 50,
  });
}

async function dispatchNow(
  body: Record<string, unknown> = { reason: 'schedule' },
  auth = env.SUPABASE_SERVICE_ROLE_KEY,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/dispatch-notifications`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('dispatch-notifications', () => {
  it('posts Slack blocks for a firing alert, linked to the host page', { timeout: 90_000 }, async () => {
    const ch = await channel('slack', { url: rx.url('/slack/T1') });
    const h = await host();
    await rule(h.id, [ch]);
    await h.send(97.25);
    const [d] = await rx.waitFor('/slack/T1', 1, 60_000);
    const hostUrl = `${DASHBOARD}/hosts/${h.id}`;
    expect(d!.headers['content-type']).toBe('application/json');
    expect(d!.json).toEqual({
      text: `Critical: CPU high on ${h.name}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `Critical: CPU high on ${h.name}` } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `:red_circle: *<${hostUrl}|Critical: CPU high on ${h.name}>*\ncpu_total = 97.3 (threshold 90)`,
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: expect.stringMatching(new RegExp(`^OpenManager Vibe · <${DASHBOARD}\\|Open dashboard> · \\d{4}-`)),
            },
          ],
        },
      ],
    });
    const rows = await waitOutbox(ch, (r) => r[0]?.status === 'sent');
    expect(rows).toMatchObject([{ status: 'sent', attempts: 1, last_error: null }]);
  });

  it('posts Discord embeds coloured by severity, firing then resolved', { timeout: 60_000 }, async () => {
    const ch = await channel('discord', { url: rx.url('/discord/1') });
    const h = await host();
    await rule(h.id, [ch], { severity: 'warning', name: 'CPU busy' });
    await h.send(95);
    const [firing] = await rx.waitFor('/discord/1', 1);
    const embed = (kind: string, color: number) => ({
      title: `${kind}: CPU busy on ${h.name}`,
      url: `${DASHBOARD}/hosts/${h.id}`,
      color,
      fields: [
        { name: 'Metric', value: 'cpu_total', inline: true },
        { name: 'Value', value: kind === 'Resolved' ? '10' : '95', inline: true },
        { name: 'Threshold', value: '90', inline: true },
      ],
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      footer: { text: 'OpenManager Vibe' },
    });
    expect(firing!.json).toEqual({
      username: 'OpenManager Vibe',
      content: `Warning: CPU busy on ${h.name}`,
      embeds: [embed('Warning', 0xf5a524)],
      allowed_mentions: { parse: [] },
    });
    await h.send(10);
    const both = await rx.waitFor('/discord/1', 2);
    expect(both[1]!.json).toEqual({
      username: 'OpenManager Vibe',
      content: `Resolved: CPU busy on ${h.name}`,
      embeds: [embed('Resolved', 0x30a46c)],
      allowed_mentions: { parse: [] },
    });
  });

  it('sends email through a Resend-compatible API with the key and an idempotency key', {
    timeout: 60_000,
  }, async () => {
    const ch = await channel('email', {
      to: ['ops@example.com', 'oncall@example.com'],
      from: 'Vibe <alerts@example.com>',
      api_key: 're_test_123',
      api_url: rx.url('/emails'),
    });
    const h = await host();
    await rule(h.id, [ch], { name: 'CPU <hot>' });
    await h.send(99);
    const [d] = await rx.waitFor('/emails', 1);
    expect(d!.headers.authorization).toBe('Bearer re_test_123');
    expect(d!.headers['idempotency-key']).toMatch(/^vibe-[0-9a-f]{32}$/);
    const hostUrl = `${DASHBOARD}/hosts/${h.id}`;
    const body = d!.json as Record<string, string>;
    expect(body).toEqual({
      from: 'Vibe <alerts@example.com>',
      to: ['ops@example.com', 'oncall@example.com'],
      subject: `[OpenManager Vibe] Critical: CPU <hot> on ${h.name}`,
      text: expect.stringContaining(`Critical: CPU <hot> on ${h.name}\ncpu_total = 99 (threshold 90)\n${hostUrl}\n`),
      html: expect.stringContaining(`<a href="${hostUrl}">Critical: CPU &lt;hot&gt; on ${h.name}</a>`),
    });
    expect(body.text).toMatch(new RegExp(`\\n\\nOpenManager Vibe: ${DASHBOARD}\\n$`));
  });

  it('posts webhook JSON signed with HMAC-SHA256 over timestamp and body', { timeout: 60_000 }, async () => {
    const secret = `whsec-${uniq()}`;
    const ch = await channel('webhook', { url: rx.url('/hook/a'), secret, headers: { 'X-Team': 'blue' } });
    const h = await host();
    const ruleId = await rule(h.id, [ch]);
    await h.send(93);
    const [d] = await rx.waitFor('/hook/a', 1);
    const ts = d!.headers['x-vibe-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(d!.headers['x-vibe-signature']).toBe(
      `sha256=${createHmac('sha256', secret).update(`${ts}.${d!.body}`).digest('hex')}`,
    );
    expect(d!.headers['x-team']).toBe('blue');
    const ev = await db.query(`select id::int, occurred_at from alert_events where rule_id = $1 and kind = 'firing'`, [
      ruleId,
    ]);
    expect(d!.json).toEqual({
      version: 1,
      type: 'alert',
      idempotency_key: d!.headers['idempotency-key'],
      title: `Critical: CPU high on ${h.name}`,
      team_id: team.teamId,
      channel: { id: ch, name: expect.stringMatching(/^webhook-/) },
      created_at: expect.stringMatching(/^\d{4}-/),
      alerts: [
        {
          event_id: ev.rows[0].id,
          status: 'firing',
          severity: 'critical',
          rule: 'CPU high',
          metric: 'cpu_total',
          value: 93,
          threshold: 90,
          expected: null,
          band_low: null,
          band_high: null,
          score: null,
          reason: null,
          host: { id: h.id, name: h.name, url: `${DASHBOARD}/hosts/${h.id}` },
          occurred_at: new Date(ev.rows[0].occurred_at).toISOString(),
        },
      ],
    });
  });

  it('retries with backoff while the receiver is down, then delivers exactly once', { timeout: 90_000 }, async () => {
    const ch = await channel('webhook', { url: rx.url('/flaky/1'), secret: 's3cret-value' });
    const h = await host();
    await rule(h.id, [ch]);
    await rx.down();
    try {
      await h.send(96);
      const first = await waitOutbox(ch, (r) => r[0]?.attempts === 1);
      expect(first[0]).toMatchObject({ status: 'pending', attempts: 1 });
      expect(first[0]!.last_error).toBe('unreachable');
      expect(first[0]!.detail).toMatch(/^Cannot reach Webhook at http:\/\/127\.0\.0\.1:\d+: /);
      expect(first[0]!.due_in).toBeGreaterThan(25);
      expect(first[0]!.due_in).toBeLessThanOrEqual(30);
      // The next retry is due: what pg_cron's minute tick would find.
      await db.query(`update notifications set next_attempt_at = now() where channel_id = $1`, [ch]);
      await dispatchNow();
      // pg_cron's own minute tick may have claimed the row first: wait until that attempt is settled.
      const second = await waitOutbox(ch, (r) => r[0]?.attempts === 2 && r[0]?.status !== 'sending');
      expect(second[0]).toMatchObject({ status: 'pending', attempts: 2 });
      expect(second[0]!.due_in).toBeGreaterThan(55);
      expect(second[0]!.due_in).toBeLessThanOrEqual(60);
    } finally {
      await rx.up();
    }
    await db.query(`update notifications set next_attempt_at = now() where channel_id = $1`, [ch]);
    await dispatchNow();
    await dispatchNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.to('/flaky/1')).toHaveLength(1);
    expect(await outbox(ch)).toMatchObject([{ status: 'sent', attempts: 3, last_error: null, detail: null }]);
  });

  it('marks a row failed with the last error after the last attempt', { timeout: 60_000 }, async () => {
    rx.answer('/broken', 503);
    const ch = await channel('slack', { url: rx.url('/broken/x') });
    const h = await host();
    await rule(h.id, [ch]);
    await h.send(99);
    await waitOutbox(ch, (r) => r[0]?.attempts === 1);
    await db.query(`update notifications set attempts = 7, next_attempt_at = now() where channel_id = $1`, [ch]);
    await dispatchNow();
    const rows = await outbox(ch);
    expect(rows).toMatchObject([{ status: 'failed', attempts: 8 }]);
    expect(rows[0]!.last_error).toBe('http_error 503');
    expect(rows[0]!.detail).toMatch(/^Slack webhook answered HTTP 503: /);
  });

  it('never sends one row twice when dispatchers run at once', { timeout: 90_000 }, async () => {
    const channels = await Promise.all(
      Array.from({ length: 30 }, (_, i) => channel('webhook', { url: rx.url(`/race/${i}/`) })),
    );
    const ev = await db.query<{ id: number }>(
      `insert into alert_events (team_id, kind, from_status, to_status, rule_name, metric, severity, value, threshold, occurred_at)
       values ($1, 'firing', 'ok', 'firing', 'race', 'cpu_total', 'warning', 95, 90, now()) returning id`,
      [team.teamId],
    );
    // One statement: the trigger wakes one dispatcher (after its group wait); four more start at once.
    await db.query(`insert into notifications (team_id, event_id, channel_id) select $1, $2, unnest($3::uuid[])`, [
      team.teamId,
      ev.rows[0]!.id,
      channels,
    ]);
    const runs = await Promise.all(Array.from({ length: 4 }, () => dispatchNow({ reason: 'race' })));
    for (const r of runs) expect(r.status).toBe(200);
    await rx.waitFor('/race/', 30);
    await new Promise((r) => setTimeout(r, 800));
    const paths = rx.to('/race/').map((d) => d.path);
    expect(new Set(paths).size).toBe(30);
    expect(paths).toHaveLength(30);
    const sent = await db.query(
      `select count(*)::int as n from notifications where event_id = $1 and status = 'sent' and attempts = 1`,
      [ev.rows[0]!.id],
    );
    expect(sent.rows[0].n).toBe(30);
  });

  it('groups events of one channel that arrive within the group window into one message', {
    timeout: 60_000,
  }, async () => {
    const ch = await channel('webhook', { url: rx.url('/group/1') });
    const hosts = await Promise.all([host(), host(), host()]);
    for (const h of hosts) await rule(h.id, [ch]);
    for (const h of hosts) await h.send(98); // three statements, three transactions
    await rx.waitFor('/group/1', 1);
    await new Promise((r) => setTimeout(r, 800));
    const got = rx.to('/group/1');
    expect(got).toHaveLength(1);
    const body = got[0]!.json as { title: string; alerts: { host: { id: string } }[] };
    expect(body.title).toBe('3 alerts: 3 firing, 0 resolved');
    expect(body.alerts.map((a) => a.host.id).sort()).toEqual(hosts.map((h) => h.id).sort());
  });

  it('refuses a blocked destination with a clear error and fails the row at once', { timeout: 60_000 }, async () => {
    const ch = await channel('webhook', { url: 'https://169.254.169.254/latest/meta-data' });
    const h = await host();
    await rule(h.id, [ch]);
    await h.send(99);
    const rows = await waitOutbox(ch, (r) => r[0]?.status === 'failed');
    expect(rows[0]!.attempts).toBe(1);
    expect(rows[0]!.last_error).toBe('blocked');
    expect(rows[0]!.detail).toBe(
      'Webhook URL https://169.254.169.254 is blocked: 169.254.169.254, a link-local address (cloud metadata lives here); notifications only go to public addresses (list development hosts in VIBE_ALLOWED_DEV_HOSTS)',
    );
  });

  it('sends a test message for owners and admins only, and explains refusals', { timeout: 60_000 }, async () => {
    const ok = await channel('slack', { url: rx.url('/slack/test') }, 'ops-room');
    const res = await dispatchNow({ channel_id: ok }, team.adminToken);
    expect(res).toEqual({ status: 200, body: { ok: true, channel_id: ok, status: 200 } });
    const [d] = await rx.waitFor('/slack/test', 1);
    expect((d!.json as { text: string }).text).toBe('Test message for channel "ops-room"');

    expect((await dispatchNow({ channel_id: ok }, team.viewerToken)).status).toBe(403);
    expect((await dispatchNow({ channel_id: ok }, '')).status).toBe(401);
    expect((await dispatchNow({ reason: 'schedule' }, team.adminToken)).status).toBe(401);

    const http = await channel('discord', { url: 'http://example.com/api/webhooks/1' });
    const refused = await dispatchNow({ channel_id: http }, team.ownerToken);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'destination_blocked',
      message:
        'Discord webhook URL must use https, not http: http://example.com (for a local test receiver list its host in VIBE_ALLOWED_DEV_HOSTS)',
    });
    const empty = await channel('webhook', {});
    const missing = await dispatchNow({ channel_id: empty }, team.ownerToken);
    expect(missing.body).toEqual({
      error: 'channel_config',
      message: 'Channel secrets lack "url": set {"url": "https://…", "secret": "…"}',
    });
  });
});
