/** Cookie sessions end to end: the sign-up and sign-in forms set the session cookie, the API and pages accept it, sign-out clears it. */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { insertSamples, newHost, newTeam, newUser, sample, type TestUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;
let user: TestUser;
let hostId: string;

/** Cookies as a browser would keep them: name → value, updated from each response's Set-Cookie. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line);
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Submits a form the way a browser does (urlencoded, same Origin) without following the redirect. */
async function submit(jar: Jar, path: string, fields: Record<string, string>): Promise<Response> {
  const res = await fetch(web.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
      origin: web.url,
      cookie: jar.header(),
    },
    body: new URLSearchParams(fields),
  });
  jar.take(res);
  return res;
}

const withJar = (jar: Jar, path: string) =>
  fetch(web.url + path, { redirect: 'manual', headers: { cookie: jar.header() } });

beforeAll(async () => {
  [web, user] = await Promise.all([startWeb(env), newUser(env, 'cookie')]);
  const teamId = await newTeam(user, 'Cookie team');
  hostId = await newHost(user, teamId, 'Cookie host', 'cookie-host');
  await insertSamples(env, [sample(hostId, new Date(Date.now() - 2000))]);
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

describe('sign-in form', () => {
  it('renders labelled email and password fields', async () => {
    const html = await (await fetch(`${web.url}/login`)).text();
    expect(html).toMatch(/<label for="login-email">Email<\/label>/);
    expect(html).toMatch(/<input id="login-email" name="email" type="email"/);
    expect(html).toMatch(/<label for="login-password">Password<\/label>/);
  });

  it('refuses a wrong password with a message and no session cookie', async () => {
    const jar = new Jar();
    const res = await submit(jar, '/login', { email: user.email, password: 'wrong-password' });
    expect(res.status).toBe(400);
    expect(jar.cookies.size).toBe(0);
  });

  it('sets the session cookie, which the API, the pages and sign-out then honour', async () => {
    const jar = new Jar();
    expect((await withJar(jar, '/')).headers.get('location')).toBe('/login');
    const res = await submit(jar, '/login', { email: user.email, password: user.password, next: '/hosts' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/hosts');
    expect([...jar.cookies.keys()].some((k) => k.startsWith('sb-') && k.includes('auth-token'))).toBe(true);
    // Plain http here: a Secure cookie would be dropped by browsers outside localhost.
    expect(res.headers.getSetCookie().every((c) => !/;\s*Secure/i.test(c))).toBe(true);

    const api = await withJar(jar, '/api/monitoring/servers');
    expect(api.status).toBe(200);
    expect((await api.json()).servers.map((s: { id: string }) => s.id)).toEqual([hostId]);
    const perf = await withJar(jar, `/api/monitoring/performance?serverId=cookie-host&metric=cpu`);
    expect(perf.status).toBe(200);
    expect((await perf.json()).metrics).toHaveLength(1);
    expect((await withJar(jar, '/')).status).toBe(200);

    const out = await submit(jar, '/logout', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await withJar(jar, '/api/monitoring/servers')).status).toBe(401);
  });

  it('only redirects to paths on this site after signing in', async () => {
    const jar = new Jar();
    const res = await submit(jar, '/login', { email: user.email, password: user.password, next: '//evil.example/' });
    expect(res.headers.get('location')).toBe('/');
  });

  it('rejects a cross-site form post', async () => {
    const res = await fetch(`${web.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ email: user.email, password: user.password }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('sign-up form', () => {
  it('creates the account and its first team, and lands signed in', async () => {
    const jar = new Jar();
    const email = `signup-${Date.now()}@example.test`;
    const res = await submit(jar, '/signup', { email, password: 'a-long-password', team: 'Fresh team' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const api = await withJar(jar, '/api/monitoring/servers');
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ servers: [] });
    const other = await newUser(env, 'outsider');
    expect(
      (
        await (
          await fetch(`${web.url}/api/monitoring/servers`, { headers: { authorization: `Bearer ${other.token}` } })
        ).json()
      ).servers,
    ).toEqual([]);
  });

  it('explains a too-short password and an address already taken', async () => {
    const short = await submit(new Jar(), '/signup', { email: `short-${Date.now()}@example.test`, password: '123' });
    expect(short.status).toBe(400);
    expect(await short.text()).toMatch(/too short/);
    const taken = await submit(new Jar(), '/signup', { email: user.email, password: 'a-long-password' });
    expect(taken.status).toBe(400);
  });
});
