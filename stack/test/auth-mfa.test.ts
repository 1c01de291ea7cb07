/**
 * TOTP MFA through auth-js `mfa.*` on the shared stack (this project's config.toml enables TOTP): enroll,
 * challenge, verify, aal/amr claims, getAuthenticatorAssuranceLevel, unenroll, and `auth.jwt()->>'aal'` in
 * SQL. Codes are computed here with node:crypto (RFC 6238), independently of the server's implementation.
 */
import { createHmac } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { adminClient, client, closeSql, confirmedUser, env, sql } from './auth-helpers.ts';

afterAll(() => closeSql());

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => Number.parseInt(b, 2)));
}

/** RFC 6238 with SHA-1, 6 digits, 30 s: the code an authenticator app shows at `ms`. */
function code(secret: string, ms = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = mac[19]! & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

async function signedIn(tag: string): Promise<{ c: SupabaseClient; email: string; password: string; id: string }> {
  const u = await confirmedUser(tag);
  const c = client();
  const { error } = await c.auth.signInWithPassword({ email: u.email, password: u.password });
  if (error) throw error;
  return { c, ...u };
}

async function enrollAndVerify(c: SupabaseClient): Promise<{ factorId: string; secret: string }> {
  const { data, error } = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone' });
  if (error) throw error;
  const verified = await c.auth.mfa.challengeAndVerify({ factorId: data.id, code: code(data.totp.secret) });
  if (verified.error) throw verified.error;
  return { factorId: data.id, secret: data.totp.secret };
}

describe('TOTP enrollment', () => {
  it('enrolls with a secret, otpauth URI and QR SVG; verifying raises the session to aal2 with amr totp', async () => {
    const { c, email } = await signedIn('mfa-enroll');
    const { data, error } = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'laptop', issuer: 'Vibe' });
    expect(error).toBeNull();
    expect(data).toMatchObject({ type: 'totp', friendly_name: 'laptop' });
    expect(data!.totp.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(data!.totp.uri).toBe(
      `otpauth://totp/Vibe:${encodeURIComponent(email)}?algorithm=SHA1&digits=6&issuer=Vibe&period=30&secret=${data!.totp.secret}`,
    );
    expect(data!.totp.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg /);
    let aal = await c.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });

    const ch = await c.auth.mfa.challenge({ factorId: data!.id });
    expect(ch.error).toBeNull();
    expect(ch.data!.expires_at).toBeGreaterThan(Date.now() / 1000 + 200);
    const wrong = String((Number(code(data!.totp.secret)) + 500_000) % 1_000_000).padStart(6, '0');
    expect(
      (await c.auth.mfa.verify({ factorId: data!.id, challengeId: ch.data!.id, code: wrong })).error,
    ).toMatchObject({
      status: 422,
      code: 'mfa_verification_failed',
      message: 'Invalid TOTP code entered',
    });
    const ok = await c.auth.mfa.verify({ factorId: data!.id, challengeId: ch.data!.id, code: code(data!.totp.secret) });
    expect(ok.error).toBeNull();
    const token = claims(ok.data!.access_token);
    expect(token.aal).toBe('aal2');
    expect(token.amr.map((a: { method: string }) => a.method)).toEqual(['totp', 'password']);
    aal = await c.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    const factors = await c.auth.mfa.listFactors();
    expect(factors.data?.totp.map((f) => [f.id, f.status])).toEqual([[data!.id, 'verified']]);
    // The spent challenge cannot be used again.
    expect(
      (await c.auth.mfa.verify({ factorId: data!.id, challengeId: ch.data!.id, code: code(data!.totp.secret) })).error,
    ).toMatchObject({ status: 422, code: 'mfa_factor_not_found' });
    // The refreshed token keeps aal2.
    const refreshed = await c.auth.refreshSession();
    expect(claims(refreshed.data.session!.access_token).aal).toBe('aal2');
  });

  it('a new sign-in is aal1 with nextLevel aal2 until the code is given; aal1 cannot change the password', async () => {
    const { c, email, password } = await signedIn('mfa-signin');
    const { factorId, secret } = await enrollAndVerify(c);
    const c2 = client();
    expect((await c2.auth.signInWithPassword({ email, password })).error).toBeNull();
    expect((await c2.auth.mfa.getAuthenticatorAssuranceLevel()).data).toMatchObject({
      currentLevel: 'aal1',
      nextLevel: 'aal2',
    });
    expect((await c2.auth.updateUser({ password: 'another-pass-1' })).error).toMatchObject({
      status: 401,
      code: 'insufficient_aal',
    });
    expect((await c2.auth.mfa.unenroll({ factorId })).error).toMatchObject({ status: 422, code: 'insufficient_aal' });
    expect((await c2.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'second' })).error).toMatchObject({
      status: 403,
      code: 'insufficient_aal',
    });
    // Another user's factor is not found.
    const other = await signedIn('mfa-other');
    expect((await other.c.auth.mfa.challenge({ factorId })).error).toMatchObject({
      status: 404,
      code: 'mfa_factor_not_found',
    });
    const up = await c2.auth.mfa.challengeAndVerify({ factorId, code: code(secret) });
    expect(up.error).toBeNull();
    expect((await c2.auth.updateUser({ password: 'another-pass-1' })).error).toBeNull();
    const gone = await c2.auth.mfa.unenroll({ factorId });
    expect(gone).toMatchObject({ data: { id: factorId }, error: null });
    // The session falls back to aal1 on its next refresh.
    const after = await c2.auth.refreshSession();
    expect(claims(after.data.session!.access_token).aal).toBe('aal1');
  });

  it('answers GoTrue errors for names, types and expired challenges', async () => {
    const { c, id } = await signedIn('mfa-errors');
    expect((await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'same' })).error).toBeNull();
    expect((await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'same' })).error).toMatchObject({
      status: 422,
      code: 'mfa_factor_name_conflict',
    });
    expect((await c.auth.mfa.enroll({ factorType: 'phone', phone: '+15555550100' })).error).toMatchObject({
      status: 422,
      code: 'mfa_phone_enroll_not_enabled',
    });
    const { data } = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'expiring' });
    const ch = await c.auth.mfa.challenge({ factorId: data!.id });
    await sql(`update auth.mfa_challenges set created_at = now() - interval '301 seconds' where id = $1`, [
      ch.data!.id,
    ]);
    expect(
      (await c.auth.mfa.verify({ factorId: data!.id, challengeId: ch.data!.id, code: code(data!.totp.secret) })).error,
    ).toMatchObject({ status: 422, code: 'mfa_challenge_expired' });
    // The admin API lists and deletes factors.
    const listed = await adminClient().auth.admin.mfa.listFactors({ userId: id });
    expect(listed.data?.factors.map((f) => f.friendly_name).sort()).toEqual(['expiring', 'same']);
    const del = await adminClient().auth.admin.mfa.deleteFactor({ userId: id, id: data!.id });
    expect(del.error).toBeNull();
    expect((await adminClient().auth.admin.mfa.listFactors({ userId: id })).data?.factors).toHaveLength(1);
  });
});

describe("auth.jwt()->>'aal' in SQL", () => {
  it('is aal1 after a password sign-in and aal2 after the TOTP code, as RLS policies read it', async () => {
    const { c } = await signedIn('mfa-sql');
    const read = async () => {
      const token = (await c.auth.getSession()).data.session!.access_token;
      const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
      await db.connect();
      try {
        await db.query('begin');
        await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims(token))]);
        await db.query('set local role authenticated');
        return (await db.query<{ aal: string }>(`select auth.jwt() ->> 'aal' as aal`)).rows[0]!.aal;
      } finally {
        await db.end();
      }
    };
    expect(await read()).toBe('aal1');
    await enrollAndVerify(c);
    expect(await read()).toBe('aal2');
  });
});
