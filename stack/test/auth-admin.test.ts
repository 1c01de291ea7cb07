/** The admin users API through supabase-js's auth.admin, called with the secret key; refused to everyone else. */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { adminClient, authFetch, client, closeSql, env, signedUpUser, sql, uniqueEmail } from './auth-helpers.ts';

afterAll(closeSql);

const admin = adminClient();

async function created(tag: string, extra: Record<string, unknown> = {}) {
  const email = uniqueEmail(tag);
  const password = `pw-${randomUUID()}`;
  const { data, error } = await admin.auth.admin.createUser({ email, password, email_confirm: true, ...extra });
  if (error) throw error;
  return { email, password, user: data.user! };
}

describe('admin users', () => {
  it('creates a confirmed user with metadata that can sign in, its token carrying app_metadata', async () => {
    const { email, password, user } = await created('create', {
      user_metadata: { name: 'Ada' },
      app_metadata: { team: 't1' },
    });
    expect(user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      user_metadata: { name: 'Ada', email_verified: true },
    });
    expect(user.app_metadata).toEqual({ provider: 'email', providers: ['email'], team: 't1' });
    expect(user.email_confirmed_at).toEqual(expect.any(String));
    expect(user.identities).toHaveLength(1);

    const { data, error } = await client().auth.signInWithPassword({ email, password });
    expect(error).toBeNull();
    expect(decodeJwt(data.session!.access_token).app_metadata).toEqual({
      provider: 'email',
      providers: ['email'],
      team: 't1',
    });
    const [row] = await sql<{ encrypted_password: string }>(`select encrypted_password from auth.users where id = $1`, [
      user.id,
    ]);
    expect(row!.encrypted_password).toMatch(/^\$2[ab]\$10\$/);
  });

  it('leaves an unconfirmed user unable to sign in (400 email_not_confirmed) and refuses duplicates (422 email_exists)', async () => {
    const email = uniqueEmail('unconfirmed');
    const made = await admin.auth.admin.createUser({ email, password: 'password-1' });
    expect(made.error).toBeNull();
    expect(made.data.user!.email_confirmed_at).toBeUndefined();
    const signIn = await client().auth.signInWithPassword({ email, password: 'password-1' });
    expect(signIn.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });

    const dup = await admin.auth.admin.createUser({ email: email.toUpperCase(), password: 'password-2' });
    expect(dup.error).toMatchObject({ status: 422, code: 'email_exists' });
  });

  it('lists users newest first with X-Total-Count and a Link header auth-js can page with', async () => {
    await created('list-a');
    await created('list-b');
    const { data, error } = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(error).toBeNull();
    expect(data.users).toHaveLength(2);
    const [{ n }] = (await sql<{ n: string }>(`select count(*) as n from auth.users where aud = 'authenticated'`)) as [
      { n: string },
    ];
    expect((data as unknown as { total: number }).total).toBeGreaterThanOrEqual(2);
    expect((data as unknown as { total: number }).total).toBeLessThanOrEqual(Number(n));
    expect((data as unknown as { nextPage: number }).nextPage).toBe(2);
    expect(Date.parse(data.users[0]!.created_at)).toBeGreaterThanOrEqual(Date.parse(data.users[1]!.created_at));

    const raw = await authFetch('/admin/users?page=1&per_page=2', { bearer: env.SUPABASE_SERVICE_ROLE_KEY });
    const total = Number(raw.headers.get('x-total-count'));
    const last = Math.ceil(total / 2);
    expect(raw.headers.get('link')).toBe(
      `</admin/users?page=2&per_page=2>; rel="next", </admin/users?page=${last}&per_page=2>; rel="last"`,
    );
    expect(raw.body).toMatchObject({ aud: 'authenticated' });
    const bad = await authFetch('/admin/users?page=x', { bearer: env.SUPABASE_SERVICE_ROLE_KEY });
    expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('gets a user by id; an unknown id is 404 user_not_found', async () => {
    const { user } = await created('get');
    const { data } = await admin.auth.admin.getUserById(user.id);
    expect(data.user).toMatchObject({ id: user.id, email: user.email });
    const missing = await admin.auth.admin.getUserById(randomUUID());
    expect(missing.error).toMatchObject({ status: 404, code: 'user_not_found' });
    const notUuid = await authFetch('/admin/users/not-a-uuid', { bearer: env.SUPABASE_SERVICE_ROLE_KEY });
    expect(notUuid.status).toBe(404);
  });

  it('updates metadata (merging app_metadata), the password and bans', async () => {
    const { email, user } = await created('update', { app_metadata: { team: 't1', tier: 'free' } });
    const upd = await admin.auth.admin.updateUserById(user.id, {
      app_metadata: { tier: 'pro', team: null },
      user_metadata: { name: 'Grace' },
      password: 'changed-by-admin',
    });
    expect(upd.error).toBeNull();
    expect(upd.data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'], tier: 'pro' });
    expect(upd.data.user!.user_metadata).toMatchObject({ name: 'Grace' });
    const weak = await admin.auth.admin.updateUserById(user.id, { password: '123' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });

    const signIn = await client().auth.signInWithPassword({ email, password: 'changed-by-admin' });
    expect(signIn.error).toBeNull();
    const refresh = signIn.data.session!.refresh_token;

    const banned = await admin.auth.admin.updateUserById(user.id, { ban_duration: '1h' });
    expect(Date.parse(banned.data.user!.banned_until!)).toBeGreaterThan(Date.now() + 3500_000);
    expect((await client().auth.signInWithPassword({ email, password: 'changed-by-admin' })).error).toMatchObject({
      status: 400,
      code: 'user_banned',
    });
    expect((await client().auth.refreshSession({ refresh_token: refresh })).error).toMatchObject({
      status: 400,
      code: 'user_banned',
    });
    expect(await authFetch('/user', { bearer: signIn.data.session!.access_token })).toMatchObject({
      status: 403,
      body: { code: 'user_banned' },
    });

    const lifted = await admin.auth.admin.updateUserById(user.id, { ban_duration: 'none' });
    expect(lifted.data.user!.banned_until).toBeUndefined();
    expect((await client().auth.signInWithPassword({ email, password: 'changed-by-admin' })).error).toBeNull();
    const badBan = await admin.auth.admin.updateUserById(user.id, { ban_duration: 'forever' });
    expect(badBan.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('deletes a user: it is gone, its sessions and identities with it, and its token stops working', async () => {
    const { client: c, user, session } = await signedUpUser('delete');
    const { error } = await admin.auth.admin.deleteUser(user.id);
    expect(error).toBeNull();
    expect((await admin.auth.admin.getUserById(user.id)).error).toMatchObject({ status: 404, code: 'user_not_found' });
    const rows = await sql(
      `select 1 from auth.identities where user_id = $1 union all select 1 from auth.sessions where user_id = $1`,
      [user.id],
    );
    expect(rows).toHaveLength(0);
    expect(await authFetch('/user', { bearer: session.access_token })).toMatchObject({
      status: 403,
      body: { code: 'user_not_found' },
    });
    expect((await c.auth.refreshSession({ refresh_token: session.refresh_token })).error?.code).toBe(
      'refresh_token_not_found',
    );
  });

  it('soft-deletes when asked: the row stays with deleted_at, the email is freed', async () => {
    const { email, user } = await created('soft');
    expect((await admin.auth.admin.deleteUser(user.id, true)).error).toBeNull();
    const [row] = await sql<{ deleted_at: Date | null; email: string | null }>(
      `select deleted_at, email from auth.users where id = $1`,
      [user.id],
    );
    expect(row!.deleted_at).toBeInstanceOf(Date);
    expect(row!.email).toBeNull();
    expect((await admin.auth.admin.createUser({ email, password: 'password-3' })).error).toBeNull();
  });
});

describe('admin access', () => {
  it('refuses the publishable key, the anon key and a user token with 403 not_admin', async () => {
    for (const key of [env.SUPABASE_PUBLISHABLE_KEY, env.SUPABASE_ANON_KEY]) {
      const { error } = await client(key).auth.admin.listUsers();
      expect(error).toMatchObject({ status: 403, code: 'not_admin', message: 'User not allowed' });
    }
    const { session } = await signedUpUser('not-admin');
    const res = await authFetch('/admin/users', {
      method: 'POST',
      bearer: session.access_token,
      body: { email: uniqueEmail('x') },
    });
    expect(res).toMatchObject({ status: 403, body: { code: 'not_admin' } });
    expect(res.headers.get('x-sb-error-code')).toBe('not_admin');
  });

  it('accepts the legacy service_role key as well as the secret key', async () => {
    const { error } = await client(env.SUPABASE_SERVICE_ROLE_KEY).auth.admin.listUsers({ page: 1, perPage: 1 });
    expect(error).toBeNull();
  });
});
