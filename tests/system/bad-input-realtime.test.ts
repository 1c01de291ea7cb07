/**
 * Hostile Realtime input over a raw WebSocket: refused upgrades answer 4xx with a message; hostile joins and
 * pushes are answered with a phx_reply of status "error" and a reason (Realtime's 4xx); frames that are not
 * Phoenix messages at all are dropped (as hosted Realtime never answers them) without harming the socket.
 * Afterwards the server still serves, and no broadcast reached the team's stored messages.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, env, superuser, type TeamFixture } from '../../supabase/tests/helpers.ts';
import { RawSocket } from './hostile/raw-socket.ts';
import { expectRefused } from './hostile/refused.ts';

const db = superuser();
let team: TeamFixture;
let other: TeamFixture;
let sock: RawSocket;
let expired = '';
let wrongSecret = '';
const wsUrl = (query: string) => `${env.SUPABASE_URL.replace(/^http/, 'ws')}/realtime/v1/websocket?${query}`;

beforeAll(async () => {
  [team, other] = await Promise.all([createTeam(db), createTeam(db)]);
  const now = Math.floor(Date.now() / 1000);
  expired = await new SignJWT({ sub: team.viewerId, role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(new TextEncoder().encode(env.SUPABASE_JWT_SECRET));
  wrongSecret = await new SignJWT({ sub: team.viewerId, role: 'service_role' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode('not-the-project-secret-at-all-0000'));
  sock = await RawSocket.open(wsUrl(`apikey=${env.SUPABASE_ANON_KEY}&vsn=2.0.0`));
}, 60_000);
afterAll(async () => {
  sock?.close();
  await db.end();
});

const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"role":"service_role"}').toString('base64url')}.`;

describe('hostile WebSocket upgrades', () => {
  const upgrades: [string, () => string][] = [
    ['no apikey', () => wsUrl('vsn=2.0.0')],
    ['garbage apikey', () => wsUrl('apikey=garbage&vsn=2.0.0')],
    ['apikey signed with another secret', () => wsUrl(`apikey=${wrongSecret}&vsn=2.0.0`)],
    ['apikey with alg none', () => wsUrl(`apikey=${none}&vsn=2.0.0`)],
    ['expired apikey', () => wsUrl(`apikey=${expired}&vsn=2.0.0`)],
    ['unknown sb_ key', () => wsUrl('apikey=sb_secret_0000000000000000000000&vsn=2.0.0')],
    ['wrong path', () => `${env.SUPABASE_URL.replace(/^http/, 'ws')}/realtime/v1/nope?apikey=${env.SUPABASE_ANON_KEY}`],
  ];
  it.each(upgrades)('refuses %s', async (name, url) => {
    const err = (await RawSocket.open(url()).then(
      (s) => (s.close(), null),
      (e: unknown) => e,
    )) as { status?: number; body?: string } | null;
    expect(err, `${name}: the upgrade was accepted`).not.toBeNull();
    expectRefused(name, err!.status ?? 0, err!.body ?? '');
  });
});

describe('hostile Phoenix frames', () => {
  const teamTopic = () => `realtime:team:${other.teamId}`;
  const joins: [string, () => [string, unknown]][] = [
    ['an empty topic', () => ['realtime:', {}]],
    ['a garbage access token', () => ['realtime:x1', { access_token: 'garbage' }]],
    ['an expired access token', () => ['realtime:x2', { access_token: expired }]],
    ['a token signed with another secret', () => ['realtime:x3', { access_token: wrongSecret }]],
    ['an alg none token', () => ['realtime:x4', { access_token: none }]],
    [
      'another team private topic as a viewer',
      () => [teamTopic(), { config: { private: true }, access_token: team.viewerToken }],
    ],
    [
      'another team private topic as an agent',
      () => [teamTopic(), { config: { private: true }, access_token: team.agentToken }],
    ],
    ['a private team topic as anon', () => [`realtime:team:${team.teamId}`, { config: { private: true } }]],
    [
      'replay on a public topic',
      () => ['realtime:x5', { config: { broadcast: { replay: { since: 0 } } }, access_token: team.viewerToken }],
    ],
    [
      'replay with a bad since',
      () => [
        `realtime:team:${team.teamId}`,
        { config: { private: true, broadcast: { replay: { since: 'yesterday' } } }, access_token: team.viewerToken },
      ],
    ],
    ['a non-realtime topic', () => ['phoenix:evil', {}]],
    ['a topic without prefix', () => ['team:x', {}]],
  ];
  it.each(joins)('answers a join with %s by an error reason', async (name, make) => {
    const [topic, payload] = make();
    const reply = await sock.request(topic, 'phx_join', payload);
    const p = reply[4] as { status?: string; response?: { reason?: string } };
    expect(p.status, `${name}: ${JSON.stringify(reply)}`).toBe('error');
    expectRefused(name, 400, JSON.stringify({ message: p.response?.reason ?? '' }));
  });

  const pushes: [string, string, string, unknown][] = [
    [
      'a broadcast to an unjoined topic',
      `realtime:team:${'0'.repeat(8)}`,
      'broadcast',
      { type: 'broadcast', event: 'x', payload: {} },
    ],
    [
      'a presence track on an unjoined topic',
      'realtime:nojoin',
      'presence',
      { type: 'presence', event: 'track', payload: {} },
    ],
    ['a leave of an unjoined topic', 'realtime:nojoin', 'phx_leave', {}],
    ['an access_token push to an unjoined topic', 'realtime:nojoin', 'access_token', { access_token: 'x' }],
    ['an unknown event to an unjoined topic', 'realtime:nojoin', 'drop_tables', {}],
  ];
  it.each(pushes)('answers %s by an error reason', async (name, topic, event, payload) => {
    const reply = await sock.request(topic, event, payload);
    const p = reply[4] as { status?: string; response?: { reason?: string } };
    expect(p.status, `${name}: ${JSON.stringify(reply)}`).toBe('error');
    expectRefused(name, 400, JSON.stringify({ message: p.response?.reason ?? '' }));
  });

  it('answers hostile pushes on a joined channel by error reasons', async () => {
    const topic = `realtime:presence-${Date.now()}`;
    const joined = await sock.request(topic, 'phx_join', {
      config: { presence: { enabled: true } },
      access_token: team.viewerToken,
    });
    expect((joined[4] as { status: string }).status).toBe('ok');
    const joinRef = joined[0];
    for (const payload of [
      { type: 'presence', event: 'track', payload: 'not a map' },
      { type: 'presence', event: 'track', payload: [1, 2] },
    ]) {
      const reply = await sock.request(topic, 'presence', payload, joinRef);
      const p = reply[4] as { status?: string; response?: { reason?: string } };
      expect(p.status, JSON.stringify(reply)).toBe('error');
      expectRefused('presence track', 400, JSON.stringify({ message: p.response?.reason ?? '' }));
    }
  });

  it('drops frames that are not Phoenix messages and keeps the socket', async () => {
    const garbage: (string | Buffer)[] = [
      'not json',
      '{',
      '[]',
      '[1,2,3]',
      '["1","1",42,"phx_join",{}]',
      '{"topic":"realtime:x","event":"phx_join"}',
      'null',
      '"string"',
      JSON.stringify(['1', '1', 'realtime:x', null, {}]),
      '['.repeat(10000),
      Buffer.from([0x03, 0x00]),
      Buffer.from([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      Buffer.alloc(0),
    ];
    for (const g of garbage) sock.sendRaw(g);
    expect(await sock.alive()).toBe(true);
  });

  it('still serves, and no hostile frame stored a broadcast for either team', async () => {
    expect(await sock.alive()).toBe(true);
    const fresh = await RawSocket.open(wsUrl(`apikey=${env.SUPABASE_ANON_KEY}&vsn=2.0.0`));
    expect(await fresh.alive()).toBe(true);
    fresh.close();
    const stored = await db.query('select count(*)::int as n from realtime.messages where topic in ($1, $2)', [
      `team:${team.teamId}`,
      `team:${other.teamId}`,
    ]);
    expect(stored.rows[0].n).toBe(0);
  });
});
