/**
 * Anonymous sign-ins: off in this project's config.toml (GoTrue's error), on in an Auth server of the test's
 * own with `enable_anonymous_sign_ins = true` and a low `anonymous_users` limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeSql, readMail, uniqueEmail } from './auth-helpers.ts';
import { startAuthHarness, type AuthHarness } from './auth-harness.ts';

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

afterAll(() => closeSql());

it('is refused when config.toml leaves it off (the default)', async () => {
  const { data, error } = await client().auth.signInAnonymously();
  expect(data.session).toBeNull();
  expect(error).toMatchObject({
    status: 422,
    code: 'anonymous_provider_disabled',
    message: 'Anonymous sign-ins are disabled',
  });
});

describe('enable_anonymous_sign_ins = true', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await startAuthHarness(
      '[auth]\nenable_anonymous_sign_ins = true\n[auth.rate_limit]\nanonymous_users = 3\n[auth.email]\ndouble_confirm_changes = true\n',
    );
  });
  afterAll(() => h.stop());

  it('signs in without email, is_anonymous in the token and the user; the user becomes permanent by email', async () => {
    const c = h.client('127.0.32.1');
    const { data, error } = await c.auth.signInAnonymously({ options: { data: { nick: 'guest' } } });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      is_anonymous: true,
      email: '',
      role: 'authenticated',
      user_metadata: { nick: 'guest' },
    });
    expect(data.user?.identities).toEqual([]);
    const token = claims(data.session!.access_token);
    expect(token).toMatchObject({ is_anonymous: true, role: 'authenticated', aal: 'aal1' });
    expect(token.amr.map((a: { method: string }) => a.method)).toEqual(['anonymous']);
    expect((await h.call('127.0.32.1', '/settings', { method: 'GET' })).body).toMatchObject({
      external: { anonymous_users: true },
    });

    expect((await c.auth.updateUser({ password: 'secret-123' })).error).toMatchObject({
      status: 422,
      message: 'Updating password of an anonymous user without an email or phone is not allowed',
    });
    const email = uniqueEmail('anon-upgrade');
    expect((await c.auth.updateUser({ email })).error).toBeNull();
    const m = await readMail(email, h.url);
    expect(m.kind).toBe('email_change_new');
    const v = await c.auth.verifyOtp({ email, token: m.code, type: 'email_change' });
    expect(v.error).toBeNull();
    expect(v.data.user).toMatchObject({ email, is_anonymous: false });
    expect(claims(v.data.session!.access_token).is_anonymous).toBe(false);
    expect((await c.auth.updateUser({ password: 'secret-123' })).error).toBeNull();
  });

  it('limits anonymous sign-ins per address per hour (anonymous_users)', async () => {
    const from = '127.0.32.2';
    for (let i = 0; i < 3; i++) expect((await h.client(from).auth.signInAnonymously()).error).toBeNull();
    expect((await h.client(from).auth.signInAnonymously()).error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
    });
    expect((await h.client('127.0.32.3').auth.signInAnonymously()).error).toBeNull();
  });
});
