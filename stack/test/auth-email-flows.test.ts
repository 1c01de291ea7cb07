/**
 * Email flows on an Auth server of the test's own with `enable_confirmations = true` (config.toml written by
 * the test): sign-up confirmation, resend, PKCE recovery and magic links, invites, generate_link,
 * reauthentication and GoTrue's email limit; every code and link is read from the harness's mailbox.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient, closeSql, confirmedUser, env, mailCount, readMail, sql, uniqueEmail } from './auth-helpers.ts';
import { startAuthHarness, type AuthHarness } from './auth-harness.ts';
import { createClient } from '@supabase/supabase-js';

let h: AuthHarness;
beforeAll(async () => {
  h = await startAuthHarness(
    [
      '[auth]',
      'site_url = "http://127.0.0.1:3000"',
      'additional_redirect_urls = ["http://localhost:5173/**"]',
      '[auth.rate_limit]',
      'email_sent = 1000',
      'sign_in_sign_ups = 1000',
      'token_verifications = 1000',
      '[auth.email]',
      'enable_confirmations = true',
      'secure_password_change = true',
      'max_frequency = "1s"',
      'otp_length = 6',
      'otp_expiry = 600',
    ].join('\n'),
  );
});
afterAll(async () => {
  await h.stop();
  await closeSql();
});

const mail = (to: string) => readMail(to, h.url);
const admin = () =>
  createClient(h.url, env.SUPABASE_SECRET_KEY, { auth: { persistSession: false, autoRefreshToken: false } });

describe('sign-up with confirmations on', () => {
  it('answers the user without a session, refuses password sign-in until the mailed code is verified', async () => {
    const email = uniqueEmail('conf');
    const c = h.client('127.0.31.1');
    const { data, error } = await c.auth.signUp({ email, password: 'secret-123' });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user).toMatchObject({ email, confirmation_sent_at: expect.any(String) });
    expect(data.user?.email_confirmed_at).toBeUndefined();
    expect((await c.auth.signInWithPassword({ email, password: 'secret-123' })).error).toMatchObject({
      status: 400,
      code: 'email_not_confirmed',
    });
    const m = await mail(email);
    expect(m).toMatchObject({ kind: 'signup', subject: 'Confirm your email address' });
    const ok = await c.auth.verifyOtp({ email, token: m.code, type: 'signup' });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.email_confirmed_at).toBeTruthy();
    expect(ok.data.user?.user_metadata.email_verified).toBe(true);
    expect((await c.auth.signInWithPassword({ email, password: 'secret-123' })).error).toBeNull();
  });

  it('answers a sign-up of a confirmed address with a look-alike user and sends nothing', async () => {
    const { email, id } = await confirmedUser('conf-dup');
    const { data, error } = await h.client('127.0.31.2').auth.signUp({ email, password: 'other-pass-1' });
    expect(error).toBeNull();
    expect(data.user?.id).not.toBe(id);
    expect(data.session).toBeNull();
    expect(await mailCount(email, h.url)).toBe(0);
  });

  it('resends the confirmation (a new code; the old one stops working) after max_frequency', async () => {
    const email = uniqueEmail('conf-resend');
    const c = h.client('127.0.31.3');
    expect((await c.auth.signUp({ email, password: 'secret-123' })).error).toBeNull();
    const first = await mail(email);
    expect((await c.auth.resend({ type: 'signup', email })).error).toMatchObject({
      status: 429,
      code: 'over_email_send_rate_limit',
    });
    await sql(`update auth.users set confirmation_sent_at = now() - interval '2 seconds' where email = $1`, [email]);
    expect((await c.auth.resend({ type: 'signup', email })).error).toBeNull();
    const second = await mail(email);
    expect(second.id).not.toBe(first.id);
    if (first.code !== second.code)
      expect((await c.auth.verifyOtp({ email, token: first.code, type: 'signup' })).error?.code).toBe('otp_expired');
    // The link's GET: implicit flow, a session in the fragment for the allowed redirect.
    const link = new URL(second.link!);
    link.searchParams.set('redirect_to', 'http://localhost:5173/welcome');
    const res = await fetch(link, { redirect: 'manual' });
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('http://localhost:5173/welcome');
    expect(new URLSearchParams(to.hash.slice(1)).get('type')).toBe('signup');
    expect(new URLSearchParams(to.hash.slice(1)).get('access_token')).toBeTruthy();
  });

  it('sends a redirect outside the allow list to the site URL', async () => {
    const email = uniqueEmail('conf-redirect');
    const c = h.client('127.0.31.4');
    const { error } = await c.auth.signUp({
      email,
      password: 'secret-123',
      options: { emailRedirectTo: 'https://evil.example/steal' },
    });
    expect(error).toBeNull();
    const m = await mail(email);
    expect(new URL(m.link!).searchParams.get('redirect_to')).toBe('http://127.0.0.1:3000');
  });
});

describe('PKCE', () => {
  it('recovery: the link hands out a code that exchangeCodeForSession trades once, with the stored verifier', async () => {
    const { email, id } = await confirmedUser('pkce-rec');
    const c = h.client('127.0.31.5', { flowType: 'pkce' });
    expect((await c.auth.resetPasswordForEmail(email, { redirectTo: 'http://127.0.0.1:3000/reset' })).error).toBeNull();
    const m = await mail(email);
    expect(new URL(m.link!).searchParams.get('token')).toMatch(/^pkce_[0-9a-f]{56}$/);
    const res = await fetch(m.link!, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(to.pathname).toBe('/reset');
    expect(to.hash).toBe('');
    const code = to.searchParams.get('code')!;
    expect(code).toBeTruthy();
    const { data, error } = await c.auth.exchangeCodeForSession(code);
    expect(error).toBeNull();
    expect(data.user?.id).toBe(id);
    const amr = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1]!, 'base64url').toString()).amr;
    expect(amr.map((a: { method: string }) => a.method)).toEqual(['recovery']);
    const again = await h.call('127.0.31.5', '/token?grant_type=pkce', {
      body: { auth_code: code, code_verifier: 'x'.repeat(43) },
    });
    expect(again).toMatchObject({ status: 404, body: { code: 'flow_state_not_found' } });
  });

  it('magic link: a wrong verifier is refused with bad_code_verifier; the typed code still works', async () => {
    const { email } = await confirmedUser('pkce-ml');
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const start = await h.call('127.0.31.6', '/otp', {
      body: { email, create_user: false, code_challenge: challenge, code_challenge_method: 's256' },
    });
    expect(start).toMatchObject({ status: 200, body: {} });
    const m = await mail(email);
    const res = await fetch(m.link!, { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const wrong = await h.call('127.0.31.6', '/token?grant_type=pkce', {
      body: { auth_code: code, code_verifier: `${verifier}x` },
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { code: 'bad_code_verifier', message: 'code challenge does not match previously saved code verifier' },
    });
    const right = await h.call('127.0.31.6', '/token?grant_type=pkce', {
      body: { auth_code: code, code_verifier: verifier },
    });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ token_type: 'bearer', user: { email } });

    const bad = await h.call('127.0.31.6', '/otp', {
      body: { email, code_challenge: 'short', code_challenge_method: 's256' },
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { code: 'validation_failed', message: 'code challenge has to be between 43 and 128 characters' },
    });
  });
});

describe('invites and generate_link', () => {
  it('inviteUserByEmail mails an invite; its code signs in and the user sets a password', async () => {
    const email = uniqueEmail('invite');
    const { data, error } = await admin().auth.admin.inviteUserByEmail(email, {
      data: { team: 'ops' },
      redirectTo: 'http://127.0.0.1:3000/accept',
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email, invited_at: expect.any(String), user_metadata: { team: 'ops' } });
    const m = await mail(email);
    expect(m).toMatchObject({ kind: 'invite', subject: "You've been invited" });
    expect(new URL(m.link!).searchParams.get('redirect_to')).toBe('http://127.0.0.1:3000/accept');
    const c = h.client('127.0.31.7');
    const ok = await c.auth.verifyOtp({ email, token: m.code, type: 'invite' });
    expect(ok.error).toBeNull();
    expect((await c.auth.updateUser({ password: 'invited-pass-1' })).error).toBeNull();
    expect(
      (await h.client('127.0.31.7').auth.signInWithPassword({ email, password: 'invited-pass-1' })).error,
    ).toBeNull();
    // An address with a confirmed account cannot be invited again.
    const twice = await admin().auth.admin.inviteUserByEmail(email);
    expect(twice.error).toMatchObject({ status: 422, code: 'email_exists' });
    // Only the secret key may invite.
    const anon = await h.call('127.0.31.7', '/invite', { body: { email: uniqueEmail('invite-anon') } });
    expect(anon.status).toBe(401);
  });

  it('generateLink answers the link and code without sending mail', async () => {
    const { email, id } = await confirmedUser('genlink');
    const { data, error } = await admin().auth.admin.generateLink({ type: 'recovery', email });
    expect(error).toBeNull();
    expect(data.user?.id).toBe(id);
    expect(data.properties).toMatchObject({
      verification_type: 'recovery',
      redirect_to: 'http://127.0.0.1:3000',
      email_otp: expect.stringMatching(/^\d{6}$/),
      hashed_token: expect.stringMatching(/^[0-9a-f]{56}$/),
    });
    const props = data.properties!;
    expect(props.action_link).toContain(`${h.url}/auth/v1/verify?token=${props.hashed_token}`);
    expect(await mailCount(email, h.url)).toBe(0);
    const v = await h.client('127.0.31.8').auth.verifyOtp({ token_hash: props.hashed_token, type: 'recovery' });
    expect(v.error).toBeNull();
    const missing = await admin().auth.admin.generateLink({ type: 'recovery', email: uniqueEmail('genlink-none') });
    expect(missing.error).toMatchObject({ status: 404, code: 'user_not_found' });
    const signup = await admin().auth.admin.generateLink({
      type: 'signup',
      email: uniqueEmail('genlink-new'),
      password: 'secret-123',
    });
    expect(signup.error).toBeNull();
    expect(signup.data.user?.email_confirmed_at).toBeUndefined();
  });
});

describe('reauthentication (secure_password_change)', () => {
  it('a session older than 24 h needs the mailed nonce to change the password', async () => {
    const { email, password } = await confirmedUser('reauth');
    const c = h.client('127.0.31.9');
    const signIn = await c.auth.signInWithPassword({ email, password });
    expect(signIn.error).toBeNull();
    // A fresh session changes the password without a nonce, as GoTrue.
    expect((await c.auth.updateUser({ password: 'fresh-pass-1' })).error).toBeNull();
    await sql(`update auth.sessions set created_at = now() - interval '25 hours' where id = $1`, [
      JSON.parse(Buffer.from(signIn.data.session!.access_token.split('.')[1]!, 'base64url').toString()).session_id,
    ]);
    expect((await c.auth.updateUser({ password: 'old-session-1' })).error).toMatchObject({
      status: 400,
      code: 'reauthentication_needed',
    });
    expect((await c.auth.reauthenticate()).error).toBeNull();
    const m = await mail(email);
    expect(m.kind).toBe('reauthentication');
    expect(m.subject).toBe(`${m.code} is your verification code`);
    const wrong = m.code === '000000' ? '000001' : '000000';
    expect((await c.auth.updateUser({ password: 'old-session-1', nonce: wrong })).error).toMatchObject({
      status: 422,
      code: 'reauthentication_not_valid',
    });
    expect((await c.auth.updateUser({ password: 'old-session-1', nonce: m.code })).error).toBeNull();
    expect(
      (await h.client('127.0.31.9').auth.signInWithPassword({ email, password: 'old-session-1' })).error,
    ).toBeNull();
  });
});

describe('email limit', () => {
  it('refuses mail beyond email_sent per hour with 429 over_email_send_rate_limit, changing nothing', async () => {
    const limited = await startAuthHarness(
      '[auth.rate_limit]\nemail_sent = 2\n[auth.email]\nenable_confirmations = true\n',
    );
    try {
      const emails = [uniqueEmail('lim-a'), uniqueEmail('lim-b'), uniqueEmail('lim-c')];
      const c = limited.client('127.0.31.10');
      for (const email of emails.slice(0, 2))
        expect((await c.auth.signUp({ email, password: 'secret-123' })).error).toBeNull();
      const third = await c.auth.signUp({ email: emails[2]!, password: 'secret-123' });
      expect(third.error).toMatchObject({
        status: 429,
        code: 'over_email_send_rate_limit',
        message: 'email rate limit exceeded',
      });
      expect(await sql(`select 1 from auth.users where email = $1`, [emails[2]])).toEqual([]);
      expect(limited.outbox.filter((m) => emails.includes(m.to)).length).toBe(2);
    } finally {
      await limited.stop();
    }
  });
});

describe('the shared stack (enable_confirmations = false)', () => {
  it('admin invite and recovery also work there and reach the stack mailbox', async () => {
    const email = uniqueEmail('shared-invite');
    expect((await adminClient().auth.admin.inviteUserByEmail(email)).error).toBeNull();
    expect((await readMail(email)).kind).toBe('invite');
  });
});
