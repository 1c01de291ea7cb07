/** Sign-up, sign-in, access-token claims, refresh rotation and logout, driven through supabase-js. */
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { authFetch, client, closeSql, env, signedUpUser, sql, uniqueEmail } from './auth-helpers.ts';

afterAll(closeSql);

const jwks = createRemoteJWKSet(new URL(`${env.SUPABASE_URL}/auth/v1/.well-known/jwks.json`));

describe('sign-up and sign-in', () => {
  it('signs up with the publishable key, auto-confirms and returns a GoTrue session with an ES256 token', async () => {
    const { session, user, email } = await signedUpUser('signup', { plan: 'pro' });
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    expect(session.refresh_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(Object.keys(user)).toEqual(
      expect.arrayContaining([
        'id',
        'aud',
        'role',
        'email',
        'email_confirmed_at',
        'phone',
        'confirmed_at',
        'last_sign_in_at',
        'app_metadata',
        'user_metadata',
        'identities',
        'created_at',
        'updated_at',
        'is_anonymous',
      ]),
    );
    expect(user).toMatchObject({ aud: 'authenticated', role: 'authenticated', email, phone: '', is_anonymous: false });
    expect(user.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(user.user_metadata).toEqual({ plan: 'pro', email_verified: true });
    expect(user.identities).toHaveLength(1);
    expect(user.identities![0]).toMatchObject({
      id: user.id,
      user_id: user.id,
      provider: 'email',
      email,
      identity_data: { sub: user.id, email, plan: 'pro' },
    });

    expect(decodeProtectedHeader(session.access_token)).toMatchObject({
      alg: 'ES256',
      typ: 'JWT',
      kid: expect.any(String),
    });
    const { payload } = await jwtVerify(session.access_token, jwks, {
      issuer: `${env.SUPABASE_URL}/auth/v1`,
      audience: 'authenticated',
    });
    expect(payload).toMatchObject({
      sub: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { plan: 'pro', email_verified: true },
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(payload.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(session.expires_at).toBe(payload.exp);
  });

  it('stores a bcrypt hash, never the password', async () => {
    const { user, password } = await signedUpUser('hash');
    const [row] = await sql<{ encrypted_password: string; ok: boolean }>(
      `select encrypted_password, encrypted_password = extensions.crypt($2, encrypted_password) as ok from auth.users where id = $1`,
      [user.id, password],
    );
    expect(row!.encrypted_password).toMatch(/^\$2[ab]\$10\$.{53}$/);
    expect(row!.encrypted_password).not.toContain(password);
    expect(row!.ok).toBe(true);
  });

  it('refuses a second sign-up for the same address (any case), a weak password and a malformed email', async () => {
    const { email } = await signedUpUser('dup');
    const again = await client().auth.signUp({ email: email.toUpperCase(), password: 'another-password' });
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });

    const weak = await client().auth.signUp({ email: uniqueEmail('weak'), password: '12345' });
    expect(weak.error).toMatchObject({
      name: 'AuthWeakPasswordError',
      status: 422,
      code: 'weak_password',
      reasons: ['length'],
    });

    const bad = await client().auth.signUp({ email: 'not-an-email', password: 'long-enough' });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });

    const anonymous = await client().auth.signInAnonymously();
    expect(anonymous.error).toMatchObject({ status: 422, code: 'anonymous_provider_disabled' });
  });

  it('signs in with the password and refuses a wrong password or unknown email alike', async () => {
    const { email, password, user } = await signedUpUser('signin');
    const ok = await client().auth.signInWithPassword({ email, password });
    expect(ok.error).toBeNull();
    expect(ok.data.user!.id).toBe(user.id);
    expect(ok.data.session!.access_token).not.toBe('');

    const wrong = await client().auth.signInWithPassword({ email, password: `${password}x` });
    expect(wrong.error).toMatchObject({
      status: 400,
      code: 'invalid_credentials',
      message: 'Invalid login credentials',
    });
    const unknown = await client().auth.signInWithPassword({ email: uniqueEmail('nobody'), password });
    expect(unknown.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('lets getClaims verify the token locally against the JWKS and rejects a forged one', async () => {
    const { client: c, user } = await signedUpUser('claims');
    const { data, error } = await c.auth.getClaims();
    expect(error).toBeNull();
    expect(data!.claims.sub).toBe(user.id);
    expect(data!.header.alg).toBe('ES256');

    const token = (await c.auth.getSession()).data.session!.access_token;
    const [h, p, s] = token.split('.');
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), role: 'service_role' }),
    ).toString('base64url');
    const forged = await c.auth.getClaims(`${h}.${forgedPayload}.${s}`);
    expect(forged.error?.message).toMatch(/signature/i);
  });
});

describe('refresh token rotation', () => {
  it('rotates on every refresh, answers a retry of the parent with the active token, and revokes the family on late reuse', async () => {
    const { client: c, session } = await signedUpUser('rotate');
    const r0 = session.refresh_token;
    const first = await c.auth.refreshSession({ refresh_token: r0 });
    expect(first.error).toBeNull();
    const r1 = first.data.session!.refresh_token;
    expect(r1).not.toBe(r0);
    expect(first.data.session!.access_token).not.toBe(session.access_token);
    const [row] = await sql<{ revoked: boolean }>(`select revoked from auth.refresh_tokens where token = $1`, [r0]);
    expect(row!.revoked).toBe(true);

    // A client that lost the response retries with r0 and gets the active token back, not a new one.
    const retry = await c.auth.refreshSession({ refresh_token: r0 });
    expect(retry.data.session!.refresh_token).toBe(r1);

    const second = await c.auth.refreshSession({ refresh_token: r1 });
    const r2 = second.data.session!.refresh_token;
    expect(r2).not.toBe(r1);

    // Past the reuse interval (10 s), r0 is a replay: refused, and the whole session's tokens with it.
    await sql(`update auth.refresh_tokens set updated_at = now() - interval '11 seconds' where token = $1`, [r0]);
    const replay = await c.auth.refreshSession({ refresh_token: r0 });
    expect(replay.error).toMatchObject({
      status: 400,
      code: 'refresh_token_already_used',
      message: 'Invalid Refresh Token: Already Used',
    });
    const afterReplay = await c.auth.refreshSession({ refresh_token: r2 });
    expect(afterReplay.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
  });

  it('accepts a rotated grandparent token within the reuse interval (GoTrue semantics)', async () => {
    const { client: c, session } = await signedUpUser('reuse');
    const r1 = (await c.auth.refreshSession({ refresh_token: session.refresh_token })).data.session!.refresh_token;
    await c.auth.refreshSession({ refresh_token: r1 });
    const late = await c.auth.refreshSession({ refresh_token: session.refresh_token });
    expect(late.error).toBeNull();
    expect(late.data.session!.refresh_token).not.toBe(session.refresh_token);
  });

  it('serialises concurrent refreshes of one token: all get the same rotated token', async () => {
    const { session } = await signedUpUser('concurrent');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client().auth.refreshSession({ refresh_token: session.refresh_token })),
    );
    expect(results.map((r) => r.error)).toEqual([null, null, null, null, null]);
    const tokens = new Set(results.map((r) => r.data.session!.refresh_token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(session.refresh_token)).toBe(false);
    const [{ n }] = (await sql<{ n: string }>(
      `select count(*) as n from auth.refresh_tokens where session_id = $1 and revoked = false`,
      [decodeJwt(session.access_token).session_id],
    )) as [{ n: string }];
    expect(Number(n)).toBe(1);
  });

  it('refuses an unknown refresh token and a body without one', async () => {
    const unknown = await client().auth.refreshSession({ refresh_token: 'no-such-token' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const missing = await authFetch('/token?grant_type=refresh_token', { method: 'POST', body: {} });
    expect(missing).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: 'refresh_token required' },
    });
  });
});

describe('logout', () => {
  it('local scope ends only this session: its refresh token and access token stop working', async () => {
    const { client: c, email, password } = await signedUpUser('logout-local');
    const other = client();
    await other.auth.signInWithPassword({ email, password });
    const { access_token, refresh_token } = (await c.auth.getSession()).data.session!;
    const out = await authFetch('/logout?scope=local', { method: 'POST', bearer: access_token });
    expect(out.status).toBe(204);

    const refresh = await client().auth.refreshSession({ refresh_token });
    expect(refresh.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const me = await authFetch('/user', { bearer: access_token });
    expect(me).toMatchObject({ status: 403, body: { code: 'session_not_found' } });
    expect((await other.auth.getUser()).error).toBeNull();
  });

  it('signOut() (global) ends every session of the user; scope others keeps the caller', async () => {
    const { client: a, email, password } = await signedUpUser('logout-global');
    const b = client();
    const c = client();
    await b.auth.signInWithPassword({ email, password });
    await c.auth.signInWithPassword({ email, password });
    const bToken = (await b.auth.getSession()).data.session!.access_token;

    const others = await c.auth.signOut({ scope: 'others' });
    expect(others.error).toBeNull();
    expect((await c.auth.getUser()).error).toBeNull();
    expect((await authFetch('/user', { bearer: bToken })).status).toBe(403);

    const cRefresh = (await c.auth.getSession()).data.session!.refresh_token;
    expect((await c.auth.signOut()).error).toBeNull();
    expect((await client().auth.refreshSession({ refresh_token: cRefresh })).error?.code).toBe(
      'refresh_token_not_found',
    );
    const [{ n }] = (await sql<{ n: string }>(
      `select count(*) as n from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1`,
      [email],
    )) as [{ n: string }];
    expect(Number(n)).toBe(0);
    expect((await a.auth.getUser()).error).not.toBeNull();
  });

  it('refuses an unknown scope', async () => {
    const { session } = await signedUpUser('logout-scope');
    const res = await authFetch('/logout?scope=everyone', { method: 'POST', bearer: session.access_token });
    expect(res).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });
});
