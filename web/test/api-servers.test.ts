/** GET /api/monitoring/servers against the built app and the real stack: shapes, units, status, RLS, caching, ETag, compression. */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { teamServersKey } from '$shared/cache-keys.ts';
import { decodeEnvelope, encodeEnvelope } from '$shared/hybrid-storage.ts';
import { addMember, insertSamples, newHost, newTeam, newUser, sample, type TestUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;
let alice: TestUser; // owner of team A
let bob: TestUser; // owner of team B
let carol: TestUser; // viewer in team A
let teamA: string;
let teamB: string;
const hosts: Record<string, string> = {};
const seenAt = new Date(Date.now() - 5_000);

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(web.url + path, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

beforeAll(async () => {
  [web, alice, bob, carol] = await Promise.all([
    startWeb(env),
    newUser(env, 'alice'),
    newUser(env, 'bob'),
    newUser(env, 'carol'),
  ]);
  [teamA, teamB] = await Promise.all([newTeam(alice, 'Team A'), newTeam(bob, 'Team B')]);
  await addMember(alice, teamA, carol);
  hosts.web1 = await newHost(alice, teamA, 'Web Server 1', 'web-server-1');
  hosts.idle = await newHost(alice, teamA, 'Idle box');
  hosts.stale = await newHost(alice, teamA, 'Stale box');
  hosts.hot = await newHost(alice, teamA, 'Hot box');
  hosts.secret = await newHost(bob, teamB, 'Secret DB', 'web-server-1');
  // Hourly reporting, so hosts stay online however long the build and setup take; the stale box is 4 h behind.
  for (const [owner, team] of [
    [alice, teamA],
    [bob, teamB],
  ] as const) {
    const { error: e } = await owner.client.from('hosts').update({ sample_interval_s: 3600 }).eq('team_id', team);
    if (e) throw new Error(e.message);
  }
  // A rule that fires on the hot box only (scope host), so its status becomes critical.
  const rule = await alice.client.from('alert_rules').insert({
    team_id: teamA,
    name: 'cpu hot',
    metric: 'cpu_total',
    operator: '>',
    threshold: 90,
    severity: 'critical',
    scope: 'host',
    scope_host_id: hosts.hot,
  });
  if (rule.error) throw new Error(rule.error.message);
  await insertSamples(env, [
    sample(hosts.web1, seenAt, {
      cpu_total: 35.24,
      cpu_count: 4,
      mem_total: 16384 * 1024 ** 2,
      mem_used: 8192 * 1024 ** 2,
      disk_total: 512000 * 1024 ** 2,
      disk_used: 256000 * 1024 ** 2,
      net_rx_bps: 1024.4,
      net_tx_bps: 511.6,
      net_connections: 245,
      uptime_s: 1209600,
    }),
    sample(hosts.stale, new Date(Date.now() - 4 * 3_600_000)),
    sample(hosts.hot, seenAt, { cpu_total: 97 }),
    sample(hosts.secret, seenAt),
  ]);
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

describe('authentication', () => {
  it('answers 401 with a JSON error that says what to send when there is no session or token', async () => {
    const res = await get('/api/monitoring/servers');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) },
    });
  });

  it('rejects a malformed header, a forged token and the anon key in place of a user token', async () => {
    const malformed = await get('/api/monitoring/servers', undefined, { authorization: `Token ${alice.token}` });
    expect(malformed.status).toBe(401);
    expect((await malformed.json()).error.message).toMatch(/Malformed Authorization header/);
    const [h, p] = alice.token.split('.');
    const forged = await get('/api/monitoring/servers', `${h}.${p}.AAAA`);
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.message).toMatch(/invalid or expired/);
    const anon = await get('/api/monitoring/servers', env.SUPABASE_ANON_KEY);
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.message).toMatch(/not a user session/);
  });
});

describe('server list', () => {
  it('gives the seed shape with sizes in MB, usage in percent, rates in bytes/s, uptime in s', async () => {
    const res = await get('/api/monitoring/servers?serverId=web-server-1', alice.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      servers: [
        {
          id: hosts.web1,
          name: 'Web Server 1',
          status: 'healthy',
          cpu: { usage: 35.2, cores: 4 },
          memory: { total: 16384, used: 8192, usage: 50 },
          disk: { total: 512000, used: 256000, usage: 50 },
          network: { rx: 1024, tx: 512, connections: 245 },
          uptime: 1209600,
          lastChecked: seenAt.toISOString(),
        },
      ],
    });
  });

  it('lists every host of the team by name with status healthy, critical or offline', async () => {
    const body = await (await get('/api/monitoring/servers', alice.token)).json();
    const byName = Object.fromEntries(body.servers.map((s: { name: string; status: string }) => [s.name, s.status]));
    expect(body.servers.map((s: { name: string }) => s.name)).toEqual([
      'Hot box',
      'Idle box',
      'Stale box',
      'Web Server 1',
    ]);
    expect(byName).toEqual({
      'Hot box': 'critical',
      'Idle box': 'offline',
      'Stale box': 'offline',
      'Web Server 1': 'healthy',
    });
    const idle = body.servers.find((s: { name: string }) => s.name === 'Idle box');
    // Never reported: zeros, as the cache-snapshots function writes them, and no lastChecked.
    expect(idle).toMatchObject({
      cpu: { usage: 0, cores: 0 },
      memory: { total: 0, used: 0, usage: 0 },
      uptime: 0,
      lastChecked: null,
    });
  });

  it('finds a server by id as well as by slug, and answers 404 or 400 for unknown or empty ids', async () => {
    const byId = await (await get(`/api/monitoring/servers?serverId=${hosts.hot}`, alice.token)).json();
    expect(byId.servers.map((s: { id: string }) => s.id)).toEqual([hosts.hot]);
    const missing = await get('/api/monitoring/servers?serverId=no-such-host', alice.token);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'server_not_found', message: expect.stringContaining('no-such-host') },
    });
    const empty = await get('/api/monitoring/servers?serverId=', alice.token);
    expect(empty.status).toBe(400);
  });
});

describe('team isolation', () => {
  it("never shows another team's hosts, even with the same slug or a known id", async () => {
    const bobs = await (await get('/api/monitoring/servers', bob.token)).json();
    expect(bobs.servers.map((s: { id: string }) => s.id)).toEqual([hosts.secret]);
    const alices = await (await get('/api/monitoring/servers?serverId=web-server-1', alice.token)).json();
    expect(alices.servers.map((s: { id: string }) => s.id)).toEqual([hosts.web1]);
    expect((await get(`/api/monitoring/servers?serverId=${hosts.secret}`, alice.token)).status).toBe(404);
    expect((await get(`/api/monitoring/servers?serverId=${hosts.web1}`, bob.token)).status).toBe(404);
    expect((await get(`/api/monitoring/performance?serverId=${hosts.secret}`, alice.token)).status).toBe(404);
  });

  it('serves a team member from the team cache and keeps each team under its own key', async () => {
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      automaticDeserialization: false,
    });
    const key = teamServersKey(teamA);
    await redis.del(key);
    const first = await get('/api/monitoring/servers', alice.token);
    expect(first.headers.get('x-cache')).toBe('miss');
    const cached = decodeEnvelope<{ servers: { id: string }[] }>(await redis.get<string>(key))!;
    expect(cached.data.servers.map((s) => s.id).sort()).toEqual(
      [hosts.hot, hosts.idle, hosts.stale, hosts.web1].sort(),
    );
    const carols = await get('/api/monitoring/servers', carol.token);
    expect(carols.headers.get('x-cache')).toBe('hit');
    expect(await carols.json()).toEqual(await first.json());
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThanOrEqual(15);
    expect(ttl).toBeLessThanOrEqual(60);
    // Bob's team has its own entry; nothing of team A's is in it.
    await get('/api/monitoring/servers', bob.token);
    const bobs = decodeEnvelope<{ servers: { id: string }[] }>(await redis.get<string>(teamServersKey(teamB)))!;
    expect(bobs.data.servers.map((s) => s.id)).toEqual([hosts.secret]);
  });

  it('answers from the list the cache-snapshots function wrote, in its envelope, before reading Postgres', async () => {
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
      automaticDeserialization: false,
    });
    const fromFunction = (await (await get('/api/monitoring/servers', bob.token)).json()).servers;
    fromFunction[0].cpu.usage = 12.3; // a value Postgres does not hold: only the cache can answer it
    await redis.set(teamServersKey(teamB), encodeEnvelope({ servers: fromFunction }, new Date()), { ex: 30 });
    const res = await get('/api/monitoring/servers', bob.token);
    expect(res.headers.get('x-cache')).toBe('hit');
    expect((await res.json()).servers[0].cpu.usage).toBe(12.3);
    await redis.del(teamServersKey(teamB));
  });

  it('stops serving a removed member at once when the team row is no longer visible to them', async () => {
    const dave = await newUser(env, 'dave');
    await addMember(alice, teamA, dave);
    expect((await (await get('/api/monitoring/servers', dave.token)).json()).servers).toHaveLength(4);
    const removed = await alice.client.from('team_members').delete().eq('team_id', teamA).eq('user_id', dave.id);
    expect(removed.error).toBeNull();
    // Force a cache miss: the refetch runs under dave's RLS, sees the team gone, and must not cache [] for team A.
    const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
    await redis.del(teamServersKey(teamA));
    expect((await (await get('/api/monitoring/servers', dave.token)).json()).servers).toEqual([]);
    expect((await (await get('/api/monitoring/servers', alice.token)).json()).servers).toHaveLength(4);
  });
});

describe('HTTP caching and compression', () => {
  it('sends a private Cache-Control and an ETag, and 304 without a body when If-None-Match matches', async () => {
    const first = await get('/api/monitoring/servers', alice.token);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/^private/);
    expect(first.headers.get('vary')).toMatch(/Authorization/);
    const again = await get('/api/monitoring/servers', alice.token, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    const other = await get('/api/monitoring/servers', alice.token, { 'if-none-match': 'W/"stale"' });
    expect(other.status).toBe(200);
  });

  it('compresses large bodies with brotli or gzip as accepted, and leaves small ones alone', async () => {
    // A team with enough hosts for a body well above the 1 KiB threshold.
    const erin = await newUser(env, 'erin');
    const teamE = await newTeam(erin, 'Team E');
    for (let i = 0; i < 20; i++) await newHost(erin, teamE, `Fleet ${String(i).padStart(2, '0')}`);
    const plain = await (await get('/api/monitoring/servers', erin.token, { 'accept-encoding': 'identity' })).text();
    expect(plain.length).toBeGreaterThan(1024);
    // Node's fetch decodes bodies itself; read the raw bytes through node:http instead.
    const raw = async (encoding: string) => {
      const { request } = await import('node:http');
      return new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request(
          `${web.url}/api/monitoring/servers`,
          { headers: { authorization: `Bearer ${erin.token}`, 'accept-encoding': encoding } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    };
    const br = await raw('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(brotliDecompressSync(br.body).toString()).toBe(plain);
    expect(br.body.length).toBeLessThan(plain.length / 2);
    const gz = await raw('gzip;q=1, br;q=0');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(plain);
    const small = await get('/api/monitoring/servers?serverId=hot-box', alice.token, { 'accept-encoding': 'br' });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await get('/api/monitoring/nope', alice.token);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});

describe('a member of two teams', () => {
  it('sees both teams, gets both hosts for a shared slug, and must pass the id to /performance', async () => {
    const frank = await newUser(env, 'frank');
    for (const [owner, team] of [
      [alice, teamA],
      [bob, teamB],
    ] as const)
      await addMember(owner, team, frank);
    const all = (await (await get('/api/monitoring/servers', frank.token)).json()).servers;
    expect(all.map((s: { id: string }) => s.id).sort()).toEqual(
      [hosts.hot, hosts.idle, hosts.secret, hosts.stale, hosts.web1].sort(),
    );
    const names = all.map((s: { name: string }) => s.name);
    expect([...names].sort()).toEqual(names);
    const both = (await (await get('/api/monitoring/servers?serverId=web-server-1', frank.token)).json()).servers;
    expect(both.map((s: { id: string }) => s.id).sort()).toEqual([hosts.secret, hosts.web1].sort());
    const ambiguous = await get('/api/monitoring/performance?serverId=web-server-1', frank.token);
    expect(ambiguous.status).toBe(400);
    expect((await ambiguous.json()).error).toMatchObject({
      code: 'ambiguous_server',
      message: expect.stringContaining(hosts.web1!),
    });
    expect((await get(`/api/monitoring/performance?serverId=${hosts.secret}`, frank.token)).status).toBe(200);
  });
});
