/**
 * The seed API is a contract, not text for people: a Korean browser (Accept-Language: ko) or a user whose saved
 * language is Korean gets exactly the English field names and values, and English errors. The pages, on the
 * same server, do follow the language (so the test would notice the API following it too).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { insertSamples, newHost, newTeam, newUser, sample, type TestUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;
let user: TestUser;
let hot: string;
let idle: string;
const korean = { 'accept-language': 'ko-KR,ko;q=0.9' };
const english = { 'accept-language': 'en-US,en;q=0.9' };
// The Korean words for the status values (the catalogue's status_*): the API must never say them.
const koreanWords = /정상|경고|심각|오프라인|발생|해결/;

const get = (path: string, headers: Record<string, string>, token: string | null = user.token) =>
  fetch(web.url + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

beforeAll(async () => {
  [web, user] = await Promise.all([startWeb(env), newUser(env, 'seoul')]);
  // The user's saved language is Korean too (what the header's switch writes).
  const saved = await user.client.auth.updateUser({ data: { locale: 'ko' } });
  if (saved.error) throw new Error(saved.error.message);
  const refreshed = await user.client.auth.refreshSession();
  if (refreshed.error || !refreshed.data.session) throw new Error(refreshed.error?.message ?? 'no session');
  user.token = refreshed.data.session.access_token;
  const team = await newTeam(user, '서울 팀');
  [hot, idle] = await Promise.all([newHost(user, team, '웹 서버'), newHost(user, team, 'idle box')]);
  const { error } = await user.client.from('hosts').update({ sample_interval_s: 3600 }).eq('team_id', team);
  if (error) throw new Error(error.message);
  const rule = await user.client.from('alert_rules').insert({
    team_id: team,
    name: 'cpu hot',
    metric: 'cpu_total',
    operator: '>',
    threshold: 90,
    severity: 'critical',
    scope: 'host',
    scope_host_id: hot,
  });
  if (rule.error) throw new Error(rule.error.message);
  const at = new Date(Date.now() - 5_000);
  await insertSamples(env, [sample(hot, at, { cpu_total: 97 }), sample(idle, at)]);
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

describe('seed API under a Korean language', () => {
  it('answers servers with the English field names and status values, byte for byte as in English', async () => {
    const ko = await get('/api/monitoring/servers', korean);
    expect(ko.status).toBe(200);
    const koText = await ko.text();
    const enText = await (await get('/api/monitoring/servers', english)).text();
    expect(koText).toBe(enText);
    expect(koText).not.toMatch(koreanWords);
    const body = JSON.parse(koText) as { servers: Record<string, unknown>[] } | Record<string, unknown>[];
    const servers = (Array.isArray(body) ? body : body.servers) as Record<string, unknown>[];
    const byName = new Map(servers.map((s) => [s.name, s]));
    expect(byName.get('웹 서버')).toMatchObject({ status: 'critical' });
    expect(byName.get('idle box')).toMatchObject({ status: 'healthy' });
    for (const s of servers) {
      expect(Object.keys(s).sort()).toEqual(
        ['cpu', 'disk', 'id', 'lastChecked', 'memory', 'name', 'network', 'status', 'uptime'].sort(),
      );
      expect(Object.keys(s.cpu as object).sort()).toEqual(['cores', 'usage']);
      expect(Object.keys(s.network as object).sort()).toEqual(['connections', 'rx', 'tx']);
    }
  });

  it('answers performance and errors in English', async () => {
    const perf = await get(`/api/monitoring/performance?serverId=${hot}`, korean);
    const perfText = await perf.text();
    expect(perf.status, perfText).toBe(200);
    expect(perfText).not.toMatch(koreanWords);
    expect(perfText).toBe(await (await get(`/api/monitoring/performance?serverId=${hot}`, english)).text());
    const denied = await get('/api/monitoring/servers', korean, null);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringMatching(/^Sign in first: send the session cookie/) },
    });
  });

  it('still renders the pages in Korean for the same browser', async () => {
    const page = await fetch(`${web.url}/login`, { headers: korean });
    const html = await page.text();
    expect(html).toContain('<html lang="ko">');
    expect(html).toContain('로그인');
    const en = await (await fetch(`${web.url}/login`, { headers: english })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).not.toMatch(/[\uac00-\ud7a3]/u);
  });
});
