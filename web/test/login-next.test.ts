/**
 * The sign-in page's `?next=` against the built app: hostile targets (control characters, backslashes,
 * protocol-relative, encoded variants, huge values) end on a same-site path, never a 500 or another host.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { newUser, type TestUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;
let user: TestUser;
let session: string;

/** `?next=` as it arrives in the query string, percent-encoded the ways an attacker might send it. */
const hostileQueries = [
  '%2F%0D%0ASet-Cookie:%20x=1',
  '/%0d%0a/evil.example',
  '/%00',
  '%2F%00%2Fevil.example',
  '/%09/evil.example',
  '/%0a/evil.example',
  '//evil.example',
  '%2F%2Fevil.example',
  '/%5Cevil.example',
  '/\\evil.example',
  '%5C%5Cevil.example',
  '/..//evil.example',
  'https://evil.example',
  '/%E6%97%A5%E6%9C%AC',
  '/%ff%fe',
  '/%ED%A0%80', // an encoded lone surrogate
  `/${'a'.repeat(6000)}`,
];

/** Where the server sends a visitor, or the status when it does not redirect. */
const isSafe = (location: string | null) =>
  location !== null && !location.startsWith('//') && location[0] === '/' && !/[\\\s]/.test(location);

async function signIn(next?: string): Promise<Response> {
  return fetch(`${web.url}/login${next === undefined ? '' : `?next=${next}`}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: web.url },
    body: new URLSearchParams({ email: user.email, password: user.password }),
  });
}

beforeAll(async () => {
  [web, user] = await Promise.all([startWeb(env), newUser(env, 'next')]);
  const res = await signIn();
  expect(res.status).toBe(303);
  session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

describe('sign-in ?next=', () => {
  it.each(hostileQueries.map((q) => [q.slice(0, 40), q]))(
    'sends a signed-in visitor with %s to a same-site path',
    async (_, query) => {
      const res = await fetch(`${web.url}/login?next=${query}`, { redirect: 'manual', headers: { cookie: session } });
      expect(
        res.status,
        await res
          .clone()
          .text()
          .then((t) => t.slice(0, 200)),
      ).toBe(303);
      expect(isSafe(res.headers.get('location')), String(res.headers.get('location'))).toBe(true);
    },
  );

  it.each(hostileQueries.map((q) => [q.slice(0, 40), q]))(
    'signs in with %s and lands on a same-site path',
    async (_, query) => {
      const res = await signIn(query);
      expect(res.status).toBe(303);
      expect(isSafe(res.headers.get('location')), String(res.headers.get('location'))).toBe(true);
    },
  );

  it('takes the hidden form field the same way', async () => {
    for (const next of [
      '/\t/evil.example',
      '/\r\n/evil',
      '//evil.example',
      '/\\evil',
      '/hosts\u0000',
      'x'.repeat(10_000),
    ]) {
      const res = await fetch(`${web.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: web.url },
        body: new URLSearchParams({ email: user.email, password: user.password, next }),
      });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
  });

  it('still honours an ordinary target', async () => {
    const res = await fetch(`${web.url}/login?next=${encodeURIComponent('/hosts?range=6h')}`, {
      redirect: 'manual',
      headers: { cookie: session },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/hosts?range=6h');
  });

  it('renders the sign-in form for a signed-out visitor whatever next holds', async () => {
    for (const query of hostileQueries) {
      const res = await fetch(`${web.url}/login?next=${query}`, { redirect: 'manual' });
      // A request line too long for Node is refused before the app (431); everything else renders.
      expect([200, 431], query.slice(0, 40)).toContain(res.status);
      if (res.status === 200) expect(await res.text()).toMatch(/<input type="hidden" name="next" value="\/[^"\\]*"/);
    }
  });
});
