/**
 * Per-address limits from config.toml `[auth.rate_limit]` (GoTrue's buckets: /token, /signup, PUT /user,
 * /verify), through supabase-js and raw requests from distinct loopback addresses, on Auth servers of their
 * own (auth-harness.ts) so the shared stack's sign-ins are never refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, confirmedUser as makeUser, env, uniqueEmail } from './auth-helpers.ts';
import { startAuthHarness, type AuthHarness } from './auth-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('low limits: token_refresh = 4, sign_in_sign_ups = 3, token_verifications = 3', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await startAuthHarness('[auth.rate_limit]\ntoken_refresh = 4\nsign_in_sign_ups = 3\ntoken_verifications = 3\n');
  });
  afterAll(() => h.stop());

  it('password grant: the fifth request from one address gets 429 over_request_rate_limit with Retry-After; another address signs in', async () => {
    const { email, password } = await makeUser('rl-pw');
    const attacker = h.client('127.0.10.1');
    // Unknown accounts, so only the address's bucket counts (not the per-account throttle).
    for (let i = 0; i < 4; i++) {
      const { error } = await attacker.auth.signInWithPassword({
        email: uniqueEmail('nobody'),
        password: 'wrong-password',
      });
      expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
    }
    const refused = await attacker.auth.signInWithPassword({ email, password });
    expect(refused.error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
      message: 'Request rate limit reached',
    });
    expect(refused.data.session).toBeNull();

    const raw = await h.call('127.0.10.1', '/token?grant_type=password', { body: { email, password }, legacy: true });
    expect(raw.status).toBe(429);
    expect(raw.body).toEqual({ code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' });
    expect(raw.headers.get('x-sb-error-code')).toBe('over_request_rate_limit');
    // 4 per 5 minutes: a token comes back every 75 s.
    const retryAfter = Number(raw.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(75);

    const owner = await h.client('127.0.10.2').auth.signInWithPassword({ email, password });
    expect(owner.error).toBeNull();
    expect(owner.data.session?.access_token).toBeTruthy();
  });

  it('ignores X-Forwarded-For, and Sb-Forwarded-For from a publishable-key client: no fresh bucket per request', async () => {
    for (let i = 0; i < 4; i++)
      await h.call('127.0.10.3', '/token?grant_type=refresh_token', { body: { refresh_token: 'nope' } });
    const spoofed = await h.call('127.0.10.3', '/token?grant_type=refresh_token', {
      body: { refresh_token: 'nope' },
      headers: { 'x-forwarded-for': '10.9.8.7', 'sb-forwarded-for': '10.9.8.6', 'x-real-ip': '10.9.8.5' },
    });
    expect(spoofed).toMatchObject({
      status: 429,
      body: { code: 'over_request_rate_limit', message: 'Request rate limit reached' },
    });
  });

  it('trusts Sb-Forwarded-For only from a secret-key caller (a server signing visitors in)', async () => {
    const server = '127.0.10.8';
    const asServer = (visitor?: string, apikey = env.SUPABASE_SECRET_KEY) =>
      h.call(server, '/token?grant_type=refresh_token', {
        body: { refresh_token: 'nope' },
        headers: { apikey, ...(visitor ? { 'sb-forwarded-for': visitor } : {}) },
      });
    for (let i = 0; i < 4; i++) expect((await asServer('203.0.113.1')).status).toBe(400);
    expect((await asServer('203.0.113.1')).status).toBe(429);
    expect((await asServer('203.0.113.2, 10.0.0.1')).status).toBe(400); // another visitor, its own bucket
    expect((await asServer()).status).toBe(400); // the server's own address was not spent
    // With the publishable key the header is ignored: the socket address pays.
    for (let i = 0; i < 3; i++) expect((await asServer('203.0.113.9', env.SUPABASE_PUBLISHABLE_KEY)).status).toBe(400);
    expect((await asServer('203.0.113.9', env.SUPABASE_PUBLISHABLE_KEY)).status).toBe(429);
    // A value that is not an IP address falls back to the socket address.
    expect((await asServer('not-an-ip')).status).toBe(429);
  });

  it('refresh grant draws on the same token_refresh bucket as the password grant (as GoTrue)', async () => {
    const { email, password } = await makeUser('rl-refresh');
    const c = h.client('127.0.10.4');
    const signIn = await c.auth.signInWithPassword({ email, password }); // 1 of 4
    expect(signIn.error).toBeNull();
    for (let i = 0; i < 2; i++) {
      const { error } = await c.auth.refreshSession({ refresh_token: `unknown-${i}` }); // 2, 3 of 4
      expect(error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    }
    const ok = await c.auth.refreshSession({ refresh_token: signIn.data.session!.refresh_token }); // 4 of 4
    expect(ok.error).toBeNull();
    const refused = await c.auth.refreshSession({ refresh_token: ok.data.session!.refresh_token });
    expect(refused.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    const raw = await h.call('127.0.10.4', '/token?grant_type=password', { body: { email, password } });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The session is still good from another address: nothing was revoked by the refusal.
    const elsewhere = await h
      .client('127.0.10.5')
      .auth.refreshSession({ refresh_token: ok.data.session!.refresh_token });
    expect(elsewhere.error).toBeNull();
  });

  it('sign-up: sign_in_sign_ups per address, in a bucket of its own', async () => {
    const c = h.client('127.0.10.6');
    for (let i = 0; i < 3; i++) {
      const { error } = await c.auth.signUp({ email: uniqueEmail('rl-signup'), password: `pw-${randomUUID()}` });
      expect(error).toBeNull();
    }
    const fourth = uniqueEmail('rl-signup');
    const refused = await c.auth.signUp({ email: fourth, password: `pw-${randomUUID()}` });
    expect(refused.error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
      message: 'Request rate limit reached',
    });
    const raw = await h.call('127.0.10.6', '/signup', {
      body: { email: fourth, password: 'a-good-password' },
      legacy: true,
    });
    expect(raw).toMatchObject({
      status: 429,
      body: { code: 429, error_code: 'over_request_rate_limit', msg: 'Request rate limit reached' },
    });
    // 3 per 5 minutes: a token every 100 s.
    expect(Number(raw.headers.get('retry-after'))).toBeLessThanOrEqual(100);
    // Nothing was created for the refused address.
    const { data } = await adminClient().auth.admin.listUsers({ perPage: 1000 });
    expect(data.users.some((u) => u.email === fourth)).toBe(false);
    // Sign-in uses token_refresh, not this bucket.
    const { email, password } = await makeUser('rl-signup-then-in');
    expect((await c.auth.signInWithPassword({ email, password })).error).toBeNull();
  });

  it('PUT /user and POST /verify have their own buckets (sign_in_sign_ups, token_verifications)', async () => {
    const { email, password } = await makeUser('rl-user');
    const c = h.client('127.0.10.7');
    expect((await c.auth.signInWithPassword({ email, password })).error).toBeNull();
    for (let i = 0; i < 3; i++) expect((await c.auth.updateUser({ data: { n: i } })).error).toBeNull();
    expect((await c.auth.updateUser({ data: { n: 3 } })).error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
    });

    for (let i = 0; i < 3; i++) {
      const { error } = await c.auth.verifyOtp({ type: 'email_change', token_hash: `no-such-hash-${i}` });
      expect(error).toMatchObject({ status: 403, code: 'otp_expired' });
    }
    const refused = await c.auth.verifyOtp({ type: 'email_change', token_hash: 'no-such-hash' });
    expect(refused.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });
});

describe('window reset', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    // 1200 per 5 minutes = 4 tokens a second, in GoTrue's bucket of 30.
    h = await startAuthHarness('[auth.rate_limit]\ntoken_refresh = 1200\n');
  });
  afterAll(() => h.stop());

  it('a burst empties the bucket of 30; after Retry-After seconds requests pass again', async () => {
    const from = '127.0.11.1';
    const burst = await Promise.all(
      Array.from({ length: 80 }, () =>
        h.call(from, '/token?grant_type=refresh_token', { body: { refresh_token: 'nope' } }),
      ),
    );
    const answered = burst.filter((r) => r.status === 400);
    const refused = burst.filter((r) => r.status === 429);
    expect(answered.length + refused.length).toBe(80);
    expect(answered.length).toBeGreaterThanOrEqual(30);
    expect(refused.length).toBeGreaterThan(0);
    const retryAfter = Number(refused[0]!.headers.get('retry-after'));
    expect(retryAfter).toBe(1);
    await sleep(retryAfter * 1000 + 100);
    const after = await h.call(from, '/token?grant_type=refresh_token', { body: { refresh_token: 'nope' } });
    expect(after).toMatchObject({ status: 400, body: { code: 'refresh_token_not_found' } });
  });
});
