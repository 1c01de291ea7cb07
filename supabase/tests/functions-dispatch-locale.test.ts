/**
 * dispatch-notifications in the team's language (team_settings.locale): the same breach and test message as in
 * functions-dispatch.test.ts, for a Korean team, reach a local receiver with Korean titles from the web app's
 * catalogue; an English team in the same run still gets English ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifyReceiver, type NotifyReceiver } from './functions-receiver.ts';
import { createTeam, env, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
let rx: NotifyReceiver;
let korean: TeamFixture;
let english: TeamFixture;

beforeAll(async () => {
  rx = await startNotifyReceiver();
  [korean, english] = await Promise.all([createTeam(db), createTeam(db)]);
  await db.query(`update team_settings set locale = 'ko' where team_id = $1`, [korean.teamId]);
});
afterAll(async () => {
  await rx.close();
  await db.end();
});

async function channel(team: TeamFixture, kind: string, path: string, name = `${kind}-${uniq()}`): Promise<string> {
  const c = await db.query<{ id: string }>(
    `insert into channels (team_id, name, kind) values ($1, $2, $3) returning id`,
    [team.teamId, name, kind],
  );
  const id = c.rows[0]!.id;
  await db.query(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
    id,
    team.teamId,
    { url: rx.url(path) },
  ]);
  return id;
}

/** A host of the team whose CPU rule (> 90, critical) notifies the channel, then one breaching sample. */
async function breach(team: TeamFixture, channelId: string): Promise<string> {
  const name = `web-${uniq()}`;
  const h = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
    team.teamId,
    name,
  ]);
  await db.query(
    `insert into alert_rules (team_id, name, metric, operator, threshold, severity, scope, scope_host_id, channel_ids)
     values ($1, 'CPU high', 'cpu_total', '>', 90, 'critical', 'host', $2, $3)`,
    [team.teamId, h.rows[0]!.id, [channelId]],
  );
  await db.query(`insert into host_samples (host_id, ts, cpu_total) values ($1, now() - interval '5 seconds', 93)`, [
    h.rows[0]!.id,
  ]);
  return name;
}

describe('notifications in the team language', () => {
  it('writes webhook and Slack titles in Korean for a Korean team, English for an English one', {
    timeout: 90_000,
  }, async () => {
    const [hook, slack, enHook] = await Promise.all([
      channel(korean, 'webhook', '/ko/hook'),
      channel(korean, 'slack', '/ko/slack'),
      channel(english, 'webhook', '/en/hook'),
    ]);
    const hostKo = await breach(korean, hook);
    const hostSlack = await breach(korean, slack);
    const hostEn = await breach(english, enHook);
    const [w] = await rx.waitFor('/ko/hook', 1);
    expect((w!.json as { title: string }).title).toBe(`심각: ${hostKo}의 CPU high`);
    // The contract fields stay English.
    expect((w!.json as { alerts: { status: string; severity: string }[] }).alerts[0]).toMatchObject({
      status: 'firing',
      severity: 'critical',
    });
    const [s] = await rx.waitFor('/ko/slack', 1);
    const text = JSON.stringify(s!.json);
    expect(text).toContain(`심각: ${hostSlack}의 CPU high`);
    expect(text).toContain('cpu_total = 93 (임계값 90)');
    const [e] = await rx.waitFor('/en/hook', 1);
    expect((e!.json as { title: string }).title).toBe(`Critical: CPU high on ${hostEn}`);
  });

  it("sends the dashboard's test message in the team's language", { timeout: 60_000 }, async () => {
    const ch = await channel(korean, 'slack', '/ko/test', 'ops-room');
    const res = await fetch(`${env.SUPABASE_URL}/functions/v1/dispatch-notifications`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${korean.adminToken}` },
      body: JSON.stringify({ channel_id: ch }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const [d] = await rx.waitFor('/ko/test', 1);
    expect((d!.json as { text: string }).text).toBe('채널 "ops-room" 테스트 메시지');
  });

  it('refuses a language the catalogue does not have, and members other than admins cannot change it', async () => {
    await expect(
      db.query(`update team_settings set locale = 'fr' where team_id = $1`, [english.teamId]),
    ).rejects.toThrow(/team_settings_locale_known/);
    const viewer = await fetch(`${env.SUPABASE_URL}/rest/v1/team_settings?team_id=eq.${english.teamId}`, {
      method: 'PATCH',
      headers: {
        apikey: env.SUPABASE_ANON_KEY,
        Authorization: `Bearer ${english.viewerToken}`,
        'Content-Type': 'application/json',
        Prefer: 'return=representation',
      },
      body: JSON.stringify({ locale: 'ko' }),
    });
    expect(await viewer.json()).toEqual([]);
    const admin = await fetch(`${env.SUPABASE_URL}/rest/v1/team_settings?team_id=eq.${english.teamId}&select=locale`, {
      method: 'PATCH',
      headers: {
        apikey: env.SUPABASE_ANON_KEY,
        Authorization: `Bearer ${english.adminToken}`,
        'Content-Type': 'application/json',
        Prefer: 'return=representation',
      },
      body: JSON.stringify({ locale: 'ko' }),
    });
    expect(await admin.json()).toEqual([{ locale: 'ko' }]);
    await db.query(`update team_settings set locale = 'en' where team_id = $1`, [english.teamId]);
  });
});
