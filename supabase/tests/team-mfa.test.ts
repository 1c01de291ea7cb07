/**
 * "Require MFA for owners and admins" (teams.require_mfa), enforced by RLS on the aal claim: real users signed
 * in through supabase-js, TOTP verified through auth-js `mfa.*`, codes computed here (RFC 6238).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { env, serviceClient, uniq } from './helpers.ts';

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of text) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
}

function totp(secret: string): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  return String((mac.readUInt32BE(mac[19]! & 15) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

function newClient(): SupabaseClient {
  return createClient(env.SUPABASE_URL, env.SUPABASE_PUBLISHABLE_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

async function user(label: string): Promise<{ c: SupabaseClient; id: string; email: string; password: string }> {
  const email = `${label}-${uniq()}@test.local`;
  const password = `pw-${randomUUID()}`;
  const { data, error } = await serviceClient().auth.admin.createUser({ email, password, email_confirm: true });
  if (error || !data.user) throw new Error(`createUser: ${error?.message}`);
  const c = newClient();
  const signIn = await c.auth.signInWithPassword({ email, password });
  if (signIn.error) throw signIn.error;
  return { c, id: data.user.id, email, password };
}

async function turnOnTotp(c: SupabaseClient): Promise<{ factorId: string; secret: string }> {
  const { data, error } = await c.auth.mfa.enroll({ factorType: 'totp', friendlyName: 'app' });
  if (error) throw error;
  const v = await c.auth.mfa.challengeAndVerify({ factorId: data.id, code: totp(data.totp.secret) });
  if (v.error) throw v.error;
  return { factorId: data.id, secret: data.totp.secret };
}

describe('teams.require_mfa', () => {
  it('only an owner in an aal2 session sets it; then admin writes need aal2 while member reads do not', async () => {
    const owner = await user('mfa-owner');
    const teamId = randomUUID();
    expect((await owner.c.from('teams').insert({ id: teamId, name: `mfa-${uniq()}` })).error).toBeNull();
    const admin = await user('mfa-admin');
    const viewer = await user('mfa-viewer');
    const added = await serviceClient()
      .from('team_members')
      .insert([
        { team_id: teamId, user_id: admin.id, role: 'admin' },
        { team_id: teamId, user_id: viewer.id, role: 'viewer' },
      ]);
    expect(added.error).toBeNull();

    // aal1 owner: refused with the reason.
    const early = await owner.c.from('teams').update({ require_mfa: true }).eq('id', teamId);
    expect(early.error).toMatchObject({ code: '42501' });
    expect(early.error?.message).toMatch(/needs a session verified with your authenticator code/);
    // An admin (even at aal2) cannot change it.
    await turnOnTotp(admin.c);
    const byAdmin = await admin.c.from('teams').update({ require_mfa: true }).eq('id', teamId);
    expect(byAdmin.error?.message).toMatch(/Only an owner/);

    const ownerFactor = await turnOnTotp(owner.c);
    const on = await owner.c.from('teams').update({ require_mfa: true }).eq('id', teamId).select('require_mfa');
    expect(on.error).toBeNull();
    expect(on.data).toEqual([{ require_mfa: true }]);

    // The owner signs in again: aal1 until the code. Reads work, admin writes find nothing to change.
    const again = newClient();
    expect((await again.auth.signInWithPassword({ email: owner.email, password: owner.password })).error).toBeNull();
    expect((await again.from('teams').select('id').eq('id', teamId)).data).toEqual([{ id: teamId }]);
    const rename = await again.from('teams').update({ name: 'renamed-aal1' }).eq('id', teamId).select('id');
    expect(rename.error).toBeNull();
    expect(rename.data).toEqual([]);
    const invite = await again.rpc('create_invitation', { p_team_id: teamId, p_email: `x-${uniq()}@test.local` });
    expect(invite.error).not.toBeNull();
    const off = await again.from('teams').update({ require_mfa: false }).eq('id', teamId).select('id');
    expect(off.data ?? []).toEqual([]);

    const up = await again.auth.mfa.challengeAndVerify({
      factorId: ownerFactor.factorId,
      code: totp(ownerFactor.secret),
    });
    expect(up.error).toBeNull();
    const renamed = await again.from('teams').update({ name: 'renamed-aal2' }).eq('id', teamId).select('name');
    expect(renamed.data).toEqual([{ name: 'renamed-aal2' }]);
    expect(
      (await again.rpc('create_invitation', { p_team_id: teamId, p_email: `y-${uniq()}@test.local` })).error,
    ).toBeNull();

    // A viewer is unaffected (never had admin rights); a team without the requirement is unaffected.
    expect((await viewer.c.from('teams').select('require_mfa').eq('id', teamId)).data).toEqual([{ require_mfa: true }]);
    const plain = randomUUID();
    const fresh = newClient();
    expect((await fresh.auth.signInWithPassword({ email: owner.email, password: owner.password })).error).toBeNull();
    expect((await fresh.from('teams').insert({ id: plain, name: `plain-${uniq()}` })).error).toBeNull();
    const plainRename = await fresh.from('teams').update({ name: 'plain-renamed' }).eq('id', plain).select('name');
    expect(plainRename.data).toEqual([{ name: 'plain-renamed' }]);
  });
});
