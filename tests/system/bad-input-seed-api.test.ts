/**
 * Generated hostile requests against the built web app's seed API (/api/monitoring/servers and /performance):
 * bad and missing parameters, other teams' hosts, bad credentials, wrong methods. Each is answered 4xx with
 * {error: {code, message}}; the team's rows are unchanged and the API still answers afterwards.
 */
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newHost, newTeam, newUser, type TestUser } from '../../web/test/api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';
import { teamChecksums } from './hostile/checksum.ts';
import { expectRefused } from './hostile/refused.ts';

const env = inject('stack');
const db = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2 });
let web: RunningWeb;
let user: TestUser;
let stranger: TestUser;
let teamId = '';
let foreignHost = '';
let expired = '';
let before: Record<string, string>;

interface SeedCase {
  name: string;
  path: string;
  method?: string;
  auth?: 'user' | 'none' | 'garbage' | 'anon' | 'service' | 'basic' | 'expired';
}

const FOREIGN = '{foreign}';
const perf = (q: string) => `/api/monitoring/performance?${q}`;
const cases: SeedCase[] = [
  { name: 'performance without parameters', path: perf('') },
  { name: 'serverId empty', path: perf('serverId=') },
  { name: 'serverId spaces', path: perf('serverId=%20%20') },
  { name: 'unknown metric', path: perf('serverId=web-1&metric=bogus') },
  { name: 'metric in capitals', path: perf('serverId=web-1&metric=CPU') },
  { name: 'metric SQL', path: perf(`serverId=web-1&metric=${encodeURIComponent("cpu'; drop table hosts; --")}`) },
  { name: 'from not a date', path: perf('serverId=web-1&from=yesterday') },
  { name: 'from February 30', path: perf('serverId=web-1&from=2025-02-30') },
  { name: 'to month 13', path: perf('serverId=web-1&to=2025-13-01T00:00:00Z') },
  { name: 'from without zone', path: perf('serverId=web-1&from=2025-06-01T12:00:00') },
  { name: 'from after to', path: perf('serverId=web-1&from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z') },
  { name: 'from equals to', path: perf('serverId=web-1&from=2025-06-01T00:00:00Z&to=2025-06-01T00:00:00Z') },
  { name: 'range over 400 days', path: perf('serverId=web-1&from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z') },
  { name: 'from epoch number', path: perf('serverId=web-1&from=1700000000') },
  { name: 'to blank', path: perf('serverId=web-1&to=%20') },
  { name: 'from year 99999', path: perf('serverId=web-1&from=99999-01-01') },
  { name: 'hour 25', path: perf('serverId=web-1&from=2025-06-01T25:00:00Z') },
  { name: 'unknown server slug', path: perf('serverId=no-such-server') },
  { name: 'another team host', path: perf(`serverId=${FOREIGN}`) },
  { name: 'serverId SQL', path: perf(`serverId=${encodeURIComponent("' or 1=1 --")}`) },
  { name: 'serverId 10 kB', path: perf(`serverId=${'a'.repeat(10_000)}`) },
  { name: 'serverId NUL', path: perf('serverId=%00') },
  { name: 'serverId PostgREST filter', path: perf(`serverId=${encodeURIComponent('eq.x,or=(id.neq.0)')}`) },
  { name: 'servers serverId empty', path: '/api/monitoring/servers?serverId=' },
  { name: 'servers unknown serverId', path: '/api/monitoring/servers?serverId=nope' },
  { name: 'servers another team host', path: `/api/monitoring/servers?serverId=${FOREIGN}` },
  { name: 'servers serverId with wildcard', path: `/api/monitoring/servers?serverId=${encodeURIComponent('%')}` },
  { name: 'servers without credentials', path: '/api/monitoring/servers', auth: 'none' },
  { name: 'servers with a garbage bearer', path: '/api/monitoring/servers', auth: 'garbage' },
  { name: 'servers with the anon key as bearer', path: '/api/monitoring/servers', auth: 'anon' },
  { name: 'servers with the service key as bearer', path: '/api/monitoring/servers', auth: 'service' },
  { name: 'servers with Basic auth', path: '/api/monitoring/servers', auth: 'basic' },
  { name: 'servers with an expired token', path: '/api/monitoring/servers', auth: 'expired' },
  { name: 'performance without credentials', path: perf('serverId=web-1'), auth: 'none' },
  { name: 'POST servers', path: '/api/monitoring/servers', method: 'POST' },
  { name: 'DELETE performance', path: perf('serverId=web-1'), method: 'DELETE' },
  { name: 'unknown API route', path: '/api/monitoring/nope' },
  { name: 'API path traversal', path: '/api/monitoring/..%2f..%2fetc%2fpasswd' },
];

beforeAll(async () => {
  [user, stranger] = await Promise.all([newUser(env, 'seed-hostile'), newUser(env, 'seed-stranger')]);
  teamId = await newTeam(user, `seed-hostile-${Date.now()}`);
  await newHost(user, teamId, 'web-1', 'web-1');
  const strangerTeam = await newTeam(stranger, `seed-stranger-${Date.now()}`);
  foreignHost = await newHost(stranger, strangerTeam, 'secret-box');
  const now = Math.floor(Date.now() / 1000);
  expired = await new SignJWT({ sub: user.id, role: 'authenticated', aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now - 7200)
    .setExpirationTime(now - 3600)
    .sign(new TextEncoder().encode(env.SUPABASE_JWT_SECRET));
  web = await startWeb(env);
  before = await teamChecksums(db, teamId);
}, 600_000);
afterAll(async () => {
  await web?.stop();
  await db.end();
});

function authHeader(kind: SeedCase['auth']): Record<string, string> {
  switch (kind ?? 'user') {
    case 'user':
      return { authorization: `Bearer ${user.token}` };
    case 'none':
      return {};
    case 'garbage':
      return { authorization: 'Bearer garbage.token.here' };
    case 'anon':
      return { authorization: `Bearer ${env.SUPABASE_ANON_KEY}` };
    case 'service':
      return { authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}` };
    case 'basic':
      return { authorization: 'Basic dXNlcjpwYXNz' };
    default:
      return { authorization: `Bearer ${expired}` };
  }
}

describe('hostile seed API requests', () => {
  it('has at least 35 generated cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });

  it.each(cases.map((c) => [c.name, c] as const))('refuses %s', { timeout: 30_000 }, async (name, c) => {
    const res = await fetch(`${web.url}${c.path.replace(FOREIGN, foreignHost)}`, {
      method: c.method ?? 'GET',
      headers: { accept: 'application/json', ...authHeader(c.auth) },
      redirect: 'manual',
    });
    const body = await res.text();
    expectRefused(name, res.status, body);
    expect(body, `${name}: the answer names another team's host`).not.toContain('secret-box');
  });

  it('changed no row and still answers', { timeout: 30_000 }, async () => {
    expect(await teamChecksums(db, teamId)).toEqual(before);
    const res = await fetch(`${web.url}/api/monitoring/servers`, { headers: authHeader('user') });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { servers: { name: string }[] };
    expect(body.servers.map((s) => s.name)).toEqual(['web-1']);
  });
});
