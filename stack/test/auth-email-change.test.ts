/**
 * Email change confirmed by typed codes (`verifyOtp({ email, token, type: 'email_change' })`), the codes read
 * from the Auth server's outbox; `[auth.email]` settings from a config.toml of the test's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmedUser, uniqueEmail } from './auth-helpers.ts';
import { startAuthHarness, type AuthHarness } from './auth-harness.ts';

describe('double_confirm_changes = true', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await startAuthHarness('[auth.email]\ndouble_confirm_changes = true\notp_length = 8\nmax_frequency = "1m"\n');
  });
  afterAll(() => h.stop());

  it('sends a code to each address; both typed codes change the email, a wrong one is refused', async () => {
    const { email, password, id } = await confirmedUser('ec-otp');
    const c = h.client('127.0.14.1');
    expect((await c.auth.signInWithPassword({ email, password })).error).toBeNull();
    const next = uniqueEmail('ec-otp-new');
    const { data, error } = await c.auth.updateUser({ email: next });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, new_email: next });
    const mails = h.outbox.filter((m) => m.to === email || m.to === next);
    expect(mails.map((m) => [m.kind, m.to])).toEqual([
      ['email_change_new', next],
      ['email_change_current', email],
    ]);
    for (const m of mails) expect(m.otp).toMatch(/^\d{8}$/);
    const codeNew = mails[0]!.otp;
    const codeCurrent = mails[1]!.otp;

    const guess = codeNew === '00000000' ? '00000001' : '00000000';
    expect((await c.auth.verifyOtp({ email: next, token: guess, type: 'email_change' })).error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
    // The current address's code is not valid for the new address (and the reverse).
    expect((await c.auth.verifyOtp({ email: next, token: codeCurrent, type: 'email_change' })).error).toMatchObject({
      status: 403,
      code: 'otp_expired',
    });

    const first = await h.call('127.0.14.1', '/verify', { body: { email, token: codeCurrent, type: 'email_change' } });
    expect(first).toMatchObject({
      status: 200,
      body: { msg: 'Confirmation link accepted. Please proceed to confirm link sent to the other email', code: '200' },
    });
    expect((await c.auth.getUser()).data.user).toMatchObject({ email, new_email: next });
    const second = await c.auth.verifyOtp({ email: next, token: codeNew, type: 'email_change' });
    expect(second.error).toBeNull();
    expect(second.data.user).toMatchObject({ id, email: next });
    expect((await c.auth.getUser()).data.user?.email).toBe(next);
  });

  it('refuses a second change request within max_frequency with 429 over_email_send_rate_limit', async () => {
    const { email, password } = await confirmedUser('ec-freq');
    const c = h.client('127.0.14.2');
    expect((await c.auth.signInWithPassword({ email, password })).error).toBeNull();
    expect((await c.auth.updateUser({ email: uniqueEmail('ec-freq-a') })).error).toBeNull();
    const again = await c.auth.updateUser({ email: uniqueEmail('ec-freq-b') });
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    expect(again.error?.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
  });

  it("answers GoTrue's validation errors", async () => {
    const raw = (body: unknown) => h.call('127.0.14.3', '/verify', { body });
    expect(await raw({ token_hash: 'x' })).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', message: 'Verify requires a verification type' },
    });
    expect(await raw({ type: 'email_change' })).toMatchObject({
      status: 400,
      body: { message: 'Verify requires either a token or a token hash' },
    });
    expect(await raw({ type: 'email_change', token_hash: 'x', email: 'a@example.com' })).toMatchObject({
      status: 400,
      body: { message: 'Only the token_hash and type should be provided' },
    });
    expect(await raw({ type: 'email_change', token: '123456', email: 'not-an-email' })).toMatchObject({
      status: 422,
      body: { code: 'validation_failed', message: 'Invalid email format' },
    });
    expect(await raw({ type: 'signup', token_hash: 'x' })).toMatchObject({
      status: 403,
      body: { code: 'otp_expired', message: 'Email link is invalid or has expired' },
    });
    expect(await raw({ type: 'bogus', token_hash: 'x' })).toMatchObject({
      status: 400,
      body: { message: 'Invalid email verification type' },
    });
  });
});

describe('double_confirm_changes = false', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await startAuthHarness('[auth.email]\ndouble_confirm_changes = false\n');
  });
  afterAll(() => h.stop());

  it('the new address alone confirms the change', async () => {
    const { email, password } = await confirmedUser('ec-single');
    const c = h.client('127.0.14.4');
    expect((await c.auth.signInWithPassword({ email, password })).error).toBeNull();
    const next = uniqueEmail('ec-single-new');
    expect((await c.auth.updateUser({ email: next })).data.user?.new_email).toBe(next);
    const mails = h.outbox.filter((m) => m.to === email || m.to === next);
    expect(mails.map((m) => m.kind)).toEqual(['email_change_new']);
    const done = await c.auth.verifyOtp({ type: 'email_change', token_hash: mails[0]!.tokenHash });
    expect(done.error).toBeNull();
    expect(done.data.session?.user.email).toBe(next);
  });
});
