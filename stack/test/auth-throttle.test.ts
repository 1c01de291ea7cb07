/**
 * Failed passwords slow down per account (login-throttle.ts): one address is refused after 5 wrong passwords
 * for an account, the owner still signs in from elsewhere, and many addresses only add latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURES_PER_ADDRESS, SLOWDOWN_AFTER, SLOWDOWN_STEP_MS } from '../src/auth/login-throttle.ts';
import { startAuthHarness, type AuthHarness } from './auth-harness.ts';
import { confirmedUser as makeUser } from './auth-helpers.ts';

let h: AuthHarness;
beforeAll(async () => {
  // Per-address buckets far above what these tests send, so only the per-account throttle acts.
  h = await startAuthHarness('[auth.rate_limit]\ntoken_refresh = 1000000\n');
});
afterAll(() => h.stop());

const wrong = (from: string, email: string) =>
  h.call(from, '/token?grant_type=password', { body: { email, password: 'not-the-password' } });

describe('per-account throttle of failed passwords', () => {
  it('refuses the sixth wrong password for an account from one address; the owner signs in from another', async () => {
    const { email, password } = await makeUser('thr-addr');
    const attacker = '127.0.12.1';
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) {
      expect(await wrong(attacker, email)).toMatchObject({ status: 400, body: { code: 'invalid_credentials' } });
    }
    const sixth = await wrong(attacker, email);
    expect(sixth).toMatchObject({
      status: 429,
      body: { code: 'over_request_rate_limit', message: 'Request rate limit reached' },
    });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Refused before the check: even the right password from that address waits out the window.
    expect((await h.client(attacker).auth.signInWithPassword({ email, password })).error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
    });

    const owner = await h.client('127.0.12.2').auth.signInWithPassword({ email, password });
    expect(owner.error).toBeNull();
    expect(owner.data.user?.email).toBe(email);
    // The attacker's other accounts are untouched.
    const other = await makeUser('thr-other');
    expect(await wrong(attacker, other.email)).toMatchObject({ status: 400, body: { code: 'invalid_credentials' } });
    // Unknown accounts are throttled the same way, so the throttle does not reveal which accounts exist.
    const ghost = `ghost-${email}`;
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) await wrong(attacker, ghost);
    expect((await wrong(attacker, ghost)).status).toBe(429);
  });

  it('counts concurrent guesses before checking them: a parallel burst gets no more than 5 answers', async () => {
    const { email } = await makeUser('thr-burst');
    const replies = await Promise.all(Array.from({ length: 20 }, () => wrong('127.0.12.3', email)));
    expect(replies.filter((r) => r.status === 400)).toHaveLength(FAILURES_PER_ADDRESS);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(20 - FAILURES_PER_ADDRESS);
  });

  it("a correct password forgets the address's failures for the account", async () => {
    const { email, password } = await makeUser('thr-reset');
    const from = '127.0.12.4';
    for (let i = 0; i < FAILURES_PER_ADDRESS - 1; i++) await wrong(from, email);
    expect((await h.client(from).auth.signInWithPassword({ email, password })).error).toBeNull();
    for (let i = 0; i < FAILURES_PER_ADDRESS; i++) expect((await wrong(from, email)).status).toBe(400);
  });

  it('many addresses slow the account down (added latency), and the owner still signs in', async () => {
    const { email, password } = await makeUser('thr-slow');
    const addresses = ['127.0.13.1', '127.0.13.2', '127.0.13.3'];
    for (const from of addresses) {
      for (let i = 0; i < FAILURES_PER_ADDRESS; i++) expect((await wrong(from, email)).status).toBe(400);
    }
    const failures = addresses.length * FAILURES_PER_ADDRESS; // 15: 5 over the threshold of 10
    const expectedDelay = (failures - SLOWDOWN_AFTER) * SLOWDOWN_STEP_MS;
    const t0 = performance.now();
    const owner = await h.client('127.0.13.9').auth.signInWithPassword({ email, password });
    const elapsed = performance.now() - t0;
    expect(owner.error).toBeNull();
    // A lower bound only (load can only add time); one failure may have decayed meanwhile (one per 30 s).
    expect(elapsed).toBeGreaterThanOrEqual(expectedDelay - SLOWDOWN_STEP_MS);
  });
});
