/**
 * The local mailbox on the shared stack: password recovery through supabase-js (resetPasswordForEmail, the
 * link and the code read from the mailbox), magic links, and who may read the mailbox.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  adminClient,
  client,
  closeSql,
  confirmedUser,
  env,
  mailCount,
  readMail,
  sql,
  uniqueEmail,
} from './auth-helpers.ts';

afterAll(() => closeSql());

describe('password recovery', () => {
  it('mails a link that signs in (implicit flow) and lets the user set a new password', async () => {
    const { email, password, id } = await confirmedUser('rec-link');
    const c = client();
    const { data, error } = await c.auth.resetPasswordForEmail(email, { redirectTo: 'http://127.0.0.1:3000/reset' });
    expect(error).toBeNull();
    expect(data).toEqual({});
    const mail = await readMail(email);
    expect(mail).toMatchObject({ to: email, kind: 'recovery', subject: 'Reset your password' });
    expect(mail.code).toMatch(/^\d{6}$/);
    expect(mail.link).toContain(`${env.SUPABASE_URL}/auth/v1/verify?token=`);

    // The link is opened by a browser: no apikey, and it answers with a redirect carrying the session.
    const res = await fetch(mail.link!, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://127.0.0.1:3000/reset');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('type')).toBe('recovery');
    const { data: set, error: setError } = await c.auth.setSession({
      access_token: fragment.get('access_token')!,
      refresh_token: fragment.get('refresh_token')!,
    });
    expect(setError).toBeNull();
    expect(set.user?.id).toBe(id);
    expect((await c.auth.updateUser({ password: 'new-secret-1' })).error).toBeNull();
    expect((await client().auth.signInWithPassword({ email, password })).error?.code).toBe('invalid_credentials');
    expect((await client().auth.signInWithPassword({ email, password: 'new-secret-1' })).error).toBeNull();

    // A spent link answers with GoTrue's error in the fragment.
    const again = await fetch(mail.link!, { redirect: 'manual' });
    const err = new URLSearchParams(new URL(again.headers.get('location')!).hash.slice(1));
    expect(Object.fromEntries(err)).toMatchObject({
      error: 'access_denied',
      error_code: 'otp_expired',
      error_description: 'Email link is invalid or has expired',
    });
  });

  it('accepts the typed code with verifyOtp and refuses it once spent or expired', async () => {
    const { email } = await confirmedUser('rec-code');
    const c = client();
    expect((await c.auth.resetPasswordForEmail(email)).error).toBeNull();
    const { code } = await readMail(email);
    const wrong = code === '000000' ? '000001' : '000000';
    expect((await c.auth.verifyOtp({ email, token: wrong, type: 'recovery' })).error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
    const ok = await c.auth.verifyOtp({ email, token: code, type: 'recovery' });
    expect(ok.error).toBeNull();
    expect(ok.data.session?.user.email).toBe(email);
    expect((await c.auth.verifyOtp({ email, token: code, type: 'recovery' })).error?.code).toBe('otp_expired');

    // otp_expiry (3600 s in this project's config.toml): a code sent longer ago is refused.
    await sql(`update auth.users set recovery_sent_at = null where lower(email) = $1`, [email]);
    const c2 = client();
    // max_frequency is 1 s: the second request right after the first would be refused with 429.
    expect((await c2.auth.resetPasswordForEmail(email)).error).toBeNull();
    const second = await readMail(email);
    await sql(`update auth.users set recovery_sent_at = now() - interval '3601 seconds' where lower(email) = $1`, [
      email,
    ]);
    expect((await c2.auth.verifyOtp({ email, token: second.code, type: 'recovery' })).error?.code).toBe('otp_expired');
  });

  it('answers {} for an unknown address and sends nothing; refuses a second request within max_frequency', async () => {
    const nobody = uniqueEmail('rec-nobody');
    expect(await client().auth.resetPasswordForEmail(nobody)).toEqual({ data: {}, error: null });
    expect(await mailCount(nobody)).toBe(0);
    const { email } = await confirmedUser('rec-freq');
    await sql(`update auth.users set recovery_sent_at = now() where lower(email) = $1`, [email]);
    const again = await client().auth.resetPasswordForEmail(email);
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    expect(await mailCount(email)).toBe(0);
  });
});

describe('magic link and email OTP', () => {
  it('signs an existing user in with the code (type email) and a new address up (create_user)', async () => {
    const { email, id } = await confirmedUser('otp-existing');
    const c = client();
    expect((await c.auth.signInWithOtp({ email })).error).toBeNull();
    const mail = await readMail(email);
    expect(mail).toMatchObject({ kind: 'magiclink', subject: 'Your sign-in link' });
    const { data, error } = await c.auth.verifyOtp({ email, token: mail.code, type: 'email' });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(id);
    expect(data.session?.user.app_metadata.provider).toBe('email');

    const fresh = uniqueEmail('otp-new');
    expect((await c.auth.signInWithOtp({ email: fresh, options: { shouldCreateUser: false } })).error).toMatchObject({
      status: 422,
      code: 'otp_disabled',
      message: 'Signups not allowed for otp',
    });
    expect((await c.auth.signInWithOtp({ email: fresh, options: { data: { plan: 'free' } } })).error).toBeNull();
    const link = await readMail(fresh);
    // With enable_confirmations = false (this project), the new user is confirmed and gets a magic link.
    expect(link.kind).toBe('magiclink');
    const byHash = await client().auth.verifyOtp({
      token_hash: new URL(link.link!).searchParams.get('token')!,
      type: 'magiclink',
    });
    expect(byHash.error).toBeNull();
    expect(byHash.data.user).toMatchObject({ email: fresh, user_metadata: { plan: 'free' } });
    const { rows } = {
      rows: await sql<{ pw: string }>(`select encrypted_password as pw from auth.users where email = $1`, [fresh]),
    };
    expect(rows[0]?.pw).toBe('');
  });
});

describe('the mailbox', () => {
  it('answers its JSON API only with the secret key, and never with CORS headers', async () => {
    const { email } = await confirmedUser('mb-api');
    expect((await client().auth.resetPasswordForEmail(email)).error).toBeNull();
    const url = `${env.SUPABASE_URL}/mailbox/api/messages?to=${encodeURIComponent(email)}`;
    for (const key of [env.SUPABASE_ANON_KEY, env.SUPABASE_PUBLISHABLE_KEY]) {
      const res = await fetch(url, { headers: { apikey: key, origin: 'https://evil.example' } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'mailbox_requires_secret_key' });
    }
    expect((await fetch(url)).status).toBe(401);
    const ok = await fetch(url, { headers: { apikey: env.SUPABASE_SECRET_KEY, origin: 'https://evil.example' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBeNull();
    const { messages } = (await ok.json()) as { messages: { id: string; subject: string }[] };
    expect(messages.map((m) => m.subject)).toEqual(['Reset your password']);
    // The service_role JWT works too; a user's token does not.
    const one = await fetch(`${env.SUPABASE_URL}/mailbox/api/messages/${messages[0]!.id}`, {
      headers: { apikey: env.SUPABASE_SERVICE_ROLE_KEY },
    });
    expect(one.status).toBe(200);
    expect(((await one.json()) as { text: string }).text).toMatch(/Alternatively, enter the code: \d{6}/);
    const del = await fetch(`${env.SUPABASE_URL}/mailbox/api/messages/${messages[0]!.id}`, {
      method: 'DELETE',
      headers: { apikey: env.SUPABASE_SECRET_KEY },
    });
    expect(await del.json()).toEqual({ deleted: 1 });
    expect(await mailCount(email)).toBe(0);
    const missing = await fetch(`${env.SUPABASE_URL}/mailbox/api/messages/${messages[0]!.id}`, {
      headers: { apikey: env.SUPABASE_SECRET_KEY },
    });
    expect(missing.status).toBe(404);
  });

  it('shows an HTML page to this machine without CORS headers, and each message in a sandboxed frame', async () => {
    const { email } = await confirmedUser('mb-page');
    expect((await client().auth.resetPasswordForEmail(email)).error).toBeNull();
    const page = await fetch(`${env.SUPABASE_URL}/mailbox?to=${encodeURIComponent(email)}`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toContain(email);
    const id = /href="\/mailbox\/([0-9a-f-]{36})"/.exec(html)?.[1];
    expect(id).toBeTruthy();
    const message = await (await fetch(`${env.SUPABASE_URL}/mailbox/${id}`)).text();
    expect(message).toContain('Reset your password');
    expect(message).toContain(`<iframe sandbox=`);
  });

  it('is not part of the admin API: a user token cannot list mail', async () => {
    const { email, password } = await confirmedUser('mb-user');
    const c = client();
    const { data } = await c.auth.signInWithPassword({ email, password });
    const res = await fetch(`${env.SUPABASE_URL}/mailbox/api/messages`, {
      headers: { apikey: env.SUPABASE_SECRET_KEY, authorization: `Bearer ${data.session!.access_token}` },
    });
    expect(res.status).toBe(401);
    expect(adminClient()).toBeTruthy();
  });
});
