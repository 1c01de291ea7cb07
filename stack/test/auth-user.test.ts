/** GET/PUT /user, bearer handling, GoTrue's error bodies and headers, /settings and /health. */
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { authFetch, client, closeSql, env, signedUpUser, sql, uniqueEmail } from './auth-helpers.ts';

afterAll(closeSql);

describe('GET /user', () => {
  it('returns the user behind the access token', async () => {
    const { client: c, user } = await signedUpUser('getuser');
    const { data, error } = await c.auth.getUser();
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      id: user.id,
      email: user.email,
      identities: [expect.objectContaining({ provider: 'email' })],
    });
  });

  it('answers 401 no_authorization without a bearer token, with GoTrue 2024-01-01 headers', async () => {
    const res = await authFetch('/user');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ code: 'no_authorization', message: 'This endpoint requires a valid Bearer token' });
    expect(res.headers.get('x-sb-error-code')).toBe('no_authorization');
    expect(res.headers.get('x-supabase-api-version')).toBe('2024-01-01');
  });

  it('sends the legacy error body when the client sends no API version', async () => {
    const res = await authFetch('/user', { headers: { 'x-supabase-api-version': '' } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 401,
      error_code: 'no_authorization',
      msg: 'This endpoint requires a valid Bearer token',
    });
    expect(res.headers.get('x-supabase-api-version')).toBeNull();
  });

  it('never accepts the API keys as a user: anon, service_role and sb_secret_ get 403 bad_jwt', async () => {
    for (const key of [
      env.SUPABASE_ANON_KEY,
      env.SUPABASE_SERVICE_ROLE_KEY,
      env.SUPABASE_SECRET_KEY,
      env.SUPABASE_PUBLISHABLE_KEY,
    ]) {
      const res = await authFetch('/user', { bearer: key });
      expect(res).toMatchObject({
        status: 403,
        body: { code: 'bad_jwt', message: 'invalid claim: missing sub claim' },
      });
    }
    const viaJs = await client(env.SUPABASE_SECRET_KEY).auth.getUser(env.SUPABASE_SERVICE_ROLE_KEY);
    expect(viaJs.error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  it('refuses a tampered, expired or foreign-key token with 403 bad_jwt', async () => {
    const { session } = await signedUpUser('badjwt');
    const tampered = session.access_token.slice(0, -4) + (session.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await authFetch('/user', { bearer: tampered })).body).toMatchObject({ code: 'bad_jwt' });
    const secret = new TextEncoder().encode(env.SUPABASE_JWT_SECRET);
    const expired = await new SignJWT({ sub: session.user.id, role: 'authenticated', aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(1_600_000_000)
      .setExpirationTime(1_600_000_100)
      .sign(secret);
    expect(await authFetch('/user', { bearer: expired })).toMatchObject({
      status: 403,
      body: { code: 'bad_jwt', message: expect.stringMatching(/expired/) },
    });
    const foreign = await new SignJWT({ sub: session.user.id, role: 'authenticated', aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    expect((await authFetch('/user', { bearer: foreign })).status).toBe(403);
  });

  it('accepts a legacy HS256 user token signed with the JWT secret (no session claim)', async () => {
    const { user } = await signedUpUser('hs256');
    const token = await new SignJWT({ sub: user.id, role: 'authenticated', aud: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(env.SUPABASE_JWT_SECRET));
    const res = await authFetch('/user', { bearer: token });
    expect(res).toMatchObject({ status: 200, body: { id: user.id } });
  });

  it('lets the database see the signed-in user: auth.uid() and auth.jwt() from the verified claims', async () => {
    const { client: c, user } = await signedUpUser('db-claims');
    const { data } = await c.auth.getClaims();
    const [row] = await sql<{ uid: string; role: string; email: string }>(
      `select set_config('request.jwt.claims', $1, false), auth.uid()::text as uid, auth.role() as role, auth.email() as email`,
      [JSON.stringify(data!.claims)],
    );
    expect(row).toMatchObject({ uid: user.id, role: 'authenticated', email: user.email });
  });
});

describe('PUT /user', () => {
  it('merges user_metadata: new keys added, null removes a key', async () => {
    const { client: c } = await signedUpUser('meta', { theme: 'dark', lang: 'en' });
    const { data, error } = await c.auth.updateUser({ data: { theme: null, tz: 'UTC' } });
    expect(error).toBeNull();
    expect(data.user!.user_metadata).toEqual({ lang: 'en', tz: 'UTC', email_verified: true });
  });

  it('changes the password: the new one signs in, the old one no longer does, other sessions end', async () => {
    const { client: c, email, password } = await signedUpUser('pw');
    const other = client();
    await other.auth.signInWithPassword({ email, password });
    const otherRefresh = (await other.auth.getSession()).data.session!.refresh_token;

    expect((await c.auth.updateUser({ password })).error).toMatchObject({ status: 422, code: 'same_password' });
    expect((await c.auth.updateUser({ password: 'short' })).error).toMatchObject({
      status: 422,
      code: 'weak_password',
      reasons: ['length'],
    });
    expect((await c.auth.updateUser({ password: 'a-brand-new-password' })).error).toBeNull();

    expect((await client().auth.signInWithPassword({ email, password })).error?.code).toBe('invalid_credentials');
    expect((await client().auth.signInWithPassword({ email, password: 'a-brand-new-password' })).error).toBeNull();
    expect((await c.auth.getUser()).error).toBeNull();
    expect((await client().auth.refreshSession({ refresh_token: otherRefresh })).error?.code).toBe(
      'refresh_token_not_found',
    );
  });

  it('keeps the email until both addresses confirm (double_confirm_changes), and refuses a taken one', async () => {
    const { client: c, email: oldEmail, password, user } = await signedUpUser('email-old');
    const taken = await signedUpUser('email-taken');
    expect((await c.auth.updateUser({ email: taken.email })).error).toMatchObject({
      status: 422,
      code: 'email_exists',
    });

    const next = uniqueEmail('email-new');
    const { data, error } = await c.auth.updateUser({ email: next });
    expect(error).toBeNull();
    expect(data.user!.email).toBe(oldEmail);
    expect(data.user!.new_email).toBe(next);
    expect(data.user!.email_change_sent_at).toBeTruthy();
    expect((await client().auth.signInWithPassword({ email: next, password })).error?.code).toBe('invalid_credentials');

    // No mailbox locally: the links' token_hash values are read where GoTrue keeps them.
    const [row] = await sql<{ email_change: string; cur: string; new: string }>(
      `select email_change, email_change_token_current as cur, email_change_token_new as new from auth.users where id = $1`,
      [user.id],
    );
    expect(row).toMatchObject({
      email_change: next,
      cur: expect.stringMatching(/^[0-9a-f]{56}$/),
      new: expect.stringMatching(/^[0-9a-f]{56}$/),
    });

    const first = await client().auth.verifyOtp({ type: 'email_change', token_hash: row!.new });
    expect(first.error).toBeNull();
    expect(first.data.session).toBeNull();
    expect((await c.auth.getUser()).data.user!.email).toBe(oldEmail);
    // A spent link does not count twice.
    expect((await client().auth.verifyOtp({ type: 'email_change', token_hash: row!.new })).error).toMatchObject({
      status: 403,
      code: 'otp_expired',
    });

    const confirmer = client();
    const second = await confirmer.auth.verifyOtp({ type: 'email_change', token_hash: row!.cur });
    expect(second.error).toBeNull();
    expect(second.data.session?.user.email).toBe(next);
    expect(second.data.user).toMatchObject({ id: user.id, email: next });
    expect(second.data.user!.new_email).toBeUndefined();
    expect(second.data.user!.identities![0]!.identity_data!.email).toBe(next);
    const signIn = await client().auth.signInWithPassword({ email: next, password });
    expect(signIn.data.user?.id).toBe(user.id);
    expect((await client().auth.signInWithPassword({ email: oldEmail, password })).error?.code).toBe(
      'invalid_credentials',
    );
    const [after] = await sql<{ cur: string; new: string; status: number }>(
      `select email_change_token_current as cur, email_change_token_new as new, email_change_confirm_status as status from auth.users where id = $1`,
      [user.id],
    );
    expect(after).toEqual({ cur: '', new: '', status: 0 });
  });

  it('refuses app_metadata from a user (403 not_admin) and a malformed email (400 validation_failed)', async () => {
    const { session } = await signedUpUser('appmeta');
    const res = await authFetch('/user', {
      method: 'PUT',
      bearer: session.access_token,
      body: { app_metadata: { role: 'admin' } },
    });
    expect(res).toMatchObject({ status: 403, body: { code: 'not_admin' } });
    const bad = await authFetch('/user', { method: 'PUT', bearer: session.access_token, body: { email: 'nope@' } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const badJson = await authFetch('/user', {
      method: 'PUT',
      bearer: session.access_token,
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });
    expect(badJson).toMatchObject({ status: 400, body: { code: 'bad_json' } });
  });
});

describe('service endpoints', () => {
  it('GET /settings reports email sign-up with auto-confirm', async () => {
    const res = await authFetch('/settings');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      disable_signup: false,
      mailer_autoconfirm: true,
      external: { email: true, phone: false, github: false },
    });
  });

  it('GET /health answers like GoTrue, and unknown paths and methods get JSON errors', async () => {
    expect(await authFetch('/health')).toMatchObject({ status: 200, body: { name: 'GoTrue' } });
    expect(await authFetch('/nowhere')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await authFetch('/signup', { method: 'GET' })).toMatchObject({ status: 405 });
    const noKey = await fetch(`${env.SUPABASE_URL}/auth/v1/health`);
    expect(noKey.status).toBe(401);
  });

  it('serves the JWKS without an API key', async () => {
    const res = await fetch(`${env.SUPABASE_URL}/auth/v1/.well-known/jwks.json`);
    const body = (await res.json()) as { keys: { kty: string; alg: string; kid: string; d?: string }[] };
    expect(res.status).toBe(200);
    expect(body.keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', kid: expect.any(String) });
    expect(body.keys[0]!.d).toBeUndefined();
  });
});
