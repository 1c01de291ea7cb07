/**
 * Sign-in limits of the dashboard against the built app, in front of Auth servers of their own with real
 * per-address limits (stack/test/auth-harness.ts). Visitors connect from distinct loopback addresses, so the
 * app's `getClientAddress()` (the socket's address) tells them apart, while Auth sees the web server's one
 * address unless SUPABASE_SECRET_KEY makes the app forward the visitor's address (Sb-Forwarded-For).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { startAuthHarness, type AuthHarness } from '../../stack/test/auth-harness.ts';
import { fetchFrom } from '../../stack/test/fetch-from.ts';
import { newUser, type TestUser } from './api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let plainAuth: AuthHarness;
let tightAuth: AuthHarness;
let plainWeb: RunningWeb;
let forwardingWeb: RunningWeb;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

/** Posts the sign-in form to `web` from the loopback address `from`, as a browser without JavaScript does. */
async function signIn(web: RunningWeb, from: string, email: string, password: string) {
  const res = await fetchFrom(from)(`${web.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: web.url },
    body: new URLSearchParams({ email, password }).toString(),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    location: res.headers.get('location'),
    html: await res.text(),
  };
}

beforeAll(async () => {
  // The project's own limits (token_refresh 150 → a bucket of 30 per address), and a tight one (3) where
  // Auth's per-address bucket bites before the web app's.
  [plainAuth, tightAuth, alice, bob, carol] = await Promise.all([
    startAuthHarness('[auth.rate_limit]\ntoken_refresh = 150\nsign_in_sign_ups = 30\n'),
    startAuthHarness('[auth.rate_limit]\ntoken_refresh = 3\nsign_in_sign_ups = 30\n'),
    newUser(env, 'alice'),
    newUser(env, 'bob'),
    newUser(env, 'carol'),
  ]);
  [plainWeb, forwardingWeb] = await Promise.all([
    startWeb({ SUPABASE_URL: plainAuth.url, SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY }, { SIGN_IN_LIMITS: 'on' }),
    startWeb(
      { SUPABASE_URL: tightAuth.url, SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY },
      { SIGN_IN_LIMITS: 'on', SUPABASE_SECRET_KEY: env.SUPABASE_SECRET_KEY },
    ),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([plainWeb?.stop(), forwardingWeb?.stop()]);
  await Promise.all([plainAuth?.stop(), tightAuth?.stop()]);
});

describe('dashboard sign-in limits', () => {
  it('refuses an attacker’s wrong passwords for an account from its address, and the owner still signs in from another', async () => {
    const attacker = '127.0.0.21';
    const owner = '127.0.0.22';
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await signIn(plainWeb, attacker, alice.email, `wrong-${i}`));
    expect(answers.slice(0, 4).map((a) => a.status)).toEqual([400, 400, 400, 400]);
    const sixth = answers[5]!;
    expect(sixth.status).toBe(429);
    expect(sixth.html).toMatch(/Too many sign-in attempts from your address; try again in \d+ seconds?/);
    expect(Number(sixth.retryAfter)).toBeGreaterThan(0);
    // The attacker is refused even with the right password, for this account, from that address.
    expect((await signIn(plainWeb, attacker, alice.email, alice.password)).status).toBe(429);

    const signedIn = await signIn(plainWeb, owner, alice.email, alice.password);
    expect(signedIn.status, signedIn.html.slice(0, 300)).toBe(303);
    expect(signedIn.location).toBe('/');
  });

  it('limits sign-in attempts per client address before Auth, below Auth’s per-address bucket', async () => {
    const greedy = '127.0.0.23';
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await signIn(plainWeb, greedy, bob.email, bob.password)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(303));
    expect(statuses[10]).toBe(429);
    // Everyone else still signs in through the same web server.
    expect((await signIn(plainWeb, '127.0.0.24', bob.email, bob.password)).status).toBe(303);
  });

  it('limits sign-up posts per client address before Auth', async () => {
    const post = () =>
      fetchFrom('127.0.0.25')(`${plainWeb.url}/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: plainWeb.url },
        body: new URLSearchParams({ email: bob.email, password: 'another-password' }).toString(),
      });
    // An existing address: Auth answers each (400 user_already_exists) and nothing is created.
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(400);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toMatch(/Too many sign-up attempts from your address; try again in \d+ seconds?/);
  });

  it('with SUPABASE_SECRET_KEY, Auth limits each visitor’s address, and its 429 shows as 429 with the wait', async () => {
    const busy = '127.0.0.31';
    for (let i = 0; i < 3; i++)
      expect((await signIn(forwardingWeb, busy, carol.email, carol.password)).status).toBe(303);
    const refused = await signIn(forwardingWeb, busy, carol.email, carol.password);
    expect(refused.status).toBe(429);
    expect(refused.html).toMatch(/try again in \d+ seconds?/);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Auth counted that visitor's address, not the web server's: another visitor is not affected.
    expect((await signIn(forwardingWeb, '127.0.0.32', carol.email, carol.password)).status).toBe(303);
  });
});
