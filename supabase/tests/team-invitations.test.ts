/**
 * Membership only by consent, through supabase-js against the stack: nobody (not even an owner) can put
 * another user into team_members directly; admins invite an address, and only the user signed in with
 * that address accepts or declines, by id or with the one-time link token.
 */
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, mintToken, serviceClient, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
let team: TeamFixture;
let owner: SupabaseClient;
let admin: SupabaseClient;
let viewer: SupabaseClient;

interface Person {
  id: string;
  email: string;
  client: SupabaseClient;
}

/** A confirmed Auth user (mixed-case address, to prove matching ignores case) and a client acting as them. */
async function person(label: string): Promise<Person> {
  const email = `${label}-${uniq()}@Example.test`;
  const { data, error } = await serviceClient().auth.admin.createUser({
    email,
    password: `pw-${uniq()}`,
    email_confirm: true,
  });
  if (error || !data.user) throw new Error(`Cannot create ${label}: ${error?.message}`);
  return { id: data.user.id, email, client: clientWith(await mintToken(data.user.id)) };
}

interface Invite {
  invitation_id: string;
  token: string;
  expires_at: string;
  mailed: boolean;
}

async function invite(as: SupabaseClient, email: string, role = 'viewer'): Promise<Invite> {
  const { data, error } = await as.rpc('create_invitation', { p_team_id: team.teamId, p_email: email, p_role: role });
  if (error) throw new Error(`Cannot invite ${email}: ${error.message}`);
  return (data as Invite[])[0]!;
}

async function isMember(userId: string, teamId = team.teamId): Promise<string | null> {
  const { rows } = await db.query<{ role: string }>(
    'select role from team_members where team_id = $1 and user_id = $2',
    [teamId, userId],
  );
  return rows[0]?.role ?? null;
}

/** The error of a refused call, with the HTTP status supabase-js saw. */
function refusal(res: { error: PostgrestError | null; status: number }): {
  status: number;
  code: string;
  details: string | null;
} {
  expect(res.error, 'the call should have been refused').not.toBeNull();
  return { status: res.status, code: res.error!.code, details: res.error!.details };
}

beforeAll(async () => {
  team = await createTeam(db);
  owner = clientWith(team.ownerToken);
  admin = clientWith(team.adminToken);
  viewer = clientWith(team.viewerToken);
});
afterAll(() => db.end());

describe('direct membership writes', () => {
  it('refuses an admin or owner inserting another user into team_members', async () => {
    const stranger = await person('stranger');
    for (const [who, client] of [
      ['admin', admin],
      ['owner', owner],
    ] as const) {
      const res = await client
        .from('team_members')
        .insert({ team_id: team.teamId, user_id: stranger.id, role: 'viewer' });
      expect(res.error?.code, `${who} insert`).toBe('42501');
      expect(res.status).toBe(403);
    }
    expect(await isMember(stranger.id)).toBeNull();
  });

  it('refuses rewriting a member row into another user (an insert in disguise), but still lets admins change roles', async () => {
    const stranger = await person('stranger');
    const res = await admin
      .from('team_members')
      .update({ user_id: stranger.id })
      .eq('team_id', team.teamId)
      .eq('user_id', team.viewerId);
    expect(res.error?.code).toBe('42501');
    expect(await isMember(stranger.id)).toBeNull();
    expect(await isMember(team.viewerId)).toBe('viewer');
    const promote = await admin
      .from('team_members')
      .update({ role: 'admin' })
      .eq('team_id', team.teamId)
      .eq('user_id', team.viewerId)
      .select('role');
    expect(promote.data).toEqual([{ role: 'admin' }]);
    await admin.from('team_members').update({ role: 'viewer' }).eq('team_id', team.teamId).eq('user_id', team.viewerId);
    // An admin still cannot make anyone (themselves included) an owner.
    const escalate = await admin
      .from('team_members')
      .update({ role: 'owner' })
      .eq('team_id', team.teamId)
      .eq('user_id', team.adminId)
      .select('role');
    expect(escalate.data ?? []).toEqual([]);
    expect(await isMember(team.adminId)).toBe('admin');
  });
});

describe('inviting', () => {
  it('lets an admin invite; the invitee lists it, accepts it by id and becomes a member with the role', async () => {
    const alice = await person('alice');
    const inv = await invite(admin, alice.email, 'admin');
    expect(inv.token).toMatch(/^vibe_invite_[0-9a-f]{64}$/);
    expect(Date.parse(inv.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    // Stored as sha256 only, under the address in lower case.
    const stored = await db.query('select email, role, token_hash, invited_by from team_invitations where id = $1', [
      inv.invitation_id,
    ]);
    expect(stored.rows[0]).toEqual({
      email: alice.email.toLowerCase(),
      role: 'admin',
      token_hash: createHash('sha256').update(inv.token).digest('hex'),
      invited_by: team.adminId,
    });
    const raw = await db.query(
      `select count(*)::int as n from team_invitations where row_to_json(team_invitations)::text like '%' || $1 || '%'`,
      [inv.token],
    );
    expect(raw.rows[0].n).toBe(0);

    const mine = await alice.client.rpc('my_invitations');
    expect(mine.error).toBeNull();
    expect(mine.data).toEqual([
      expect.objectContaining({
        id: inv.invitation_id,
        team_id: team.teamId,
        role: 'admin',
        team_name: expect.any(String),
        invited_by_email: expect.stringContaining('admin-'),
      }),
    ]);
    const rows = await alice.client.from('team_invitations').select('id, email');
    expect(rows.data).toEqual([{ id: inv.invitation_id, email: alice.email.toLowerCase() }]);

    const accepted = await alice.client.rpc('accept_invitation', { p_invitation_id: inv.invitation_id });
    expect(accepted.error).toBeNull();
    expect(accepted.data).toEqual([{ team_id: team.teamId, team_name: expect.any(String), role: 'admin' }]);
    expect(await isMember(alice.id)).toBe('admin');
    expect((await alice.client.rpc('my_invitations')).data).toEqual([]);
    // Members are listed by email, to members only.
    const listed = await viewer.rpc('team_member_emails', { p_team_id: team.teamId });
    expect(listed.data).toContainEqual(
      expect.objectContaining({ user_id: alice.id, email: alice.email.toLowerCase(), role: 'admin' }),
    );
    const outsider = await person('outsider');
    expect(refusal(await outsider.client.rpc('team_member_emails', { p_team_id: team.teamId }))).toMatchObject({
      status: 403,
      code: '42501',
    });
    // Accepting twice: the invitation worked once.
    expect(refusal(await alice.client.rpc('accept_invitation', { p_invitation_id: inv.invitation_id }))).toEqual({
      status: 410,
      code: 'PT410',
      details: 'invitation_used',
    });
  });

  it('lets the invitee decline: not a member, no longer listed, the link refused afterwards', async () => {
    const bob = await person('bob');
    const inv = await invite(admin, bob.email);
    expect((await bob.client.rpc('decline_invitation', { p_invitation_id: inv.invitation_id })).error).toBeNull();
    expect(await isMember(bob.id)).toBeNull();
    expect((await bob.client.rpc('my_invitations')).data).toEqual([]);
    const { rows } = await db.query(
      'select declined_at is not null as declined, accepted_at from team_invitations where id = $1',
      [inv.invitation_id],
    );
    expect(rows[0]).toEqual({ declined: true, accepted_at: null });
    expect(refusal(await bob.client.rpc('accept_invitation', { p_token: inv.token }))).toEqual({
      status: 410,
      code: 'PT410',
      details: 'invitation_declined',
    });
  });

  it('accepts by link token once; expired, revoked and unknown links are refused with a clear reason', async () => {
    const carol = await person('carol');
    const inv = await invite(owner, carol.email);
    const preview = await carol.client.rpc('invitation_by_token', { p_token: inv.token });
    expect(preview.data).toEqual([
      expect.objectContaining({
        id: inv.invitation_id,
        role: 'viewer',
        email: carol.email.toLowerCase(),
        team_name: expect.any(String),
      }),
    ]);
    expect((await carol.client.rpc('accept_invitation', { p_token: inv.token })).error).toBeNull();
    expect(await isMember(carol.id)).toBe('viewer');
    const again = await carol.client.rpc('accept_invitation', { p_token: inv.token });
    expect(refusal(again)).toEqual({ status: 410, code: 'PT410', details: 'invitation_used' });
    expect(again.error!.message).toMatch(/already accepted .* works once/);

    const dan = await person('dan');
    const expiring = await invite(admin, dan.email);
    await db.query(`update team_invitations set expires_at = now() - interval '1 minute' where id = $1`, [
      expiring.invitation_id,
    ]);
    const expired = await dan.client.rpc('accept_invitation', { p_token: expiring.token });
    expect(refusal(expired)).toEqual({ status: 410, code: 'PT410', details: 'invitation_expired' });
    expect(expired.error!.message).toMatch(/expired on .*ask a team admin for a new one/);
    expect((await dan.client.rpc('my_invitations')).data).toEqual([]);

    const revoking = await invite(admin, dan.email);
    expect((await admin.rpc('revoke_invitation', { p_invitation_id: revoking.invitation_id })).error).toBeNull();
    expect(refusal(await dan.client.rpc('accept_invitation', { p_token: revoking.token }))).toEqual({
      status: 410,
      code: 'PT410',
      details: 'invitation_revoked',
    });
    expect(refusal(await dan.client.rpc('accept_invitation', { p_token: `vibe_invite_${'0'.repeat(64)}` }))).toEqual({
      status: 404,
      code: 'PT404',
      details: 'invitation_not_found',
    });
    expect(refusal(await dan.client.rpc('accept_invitation', {}))).toMatchObject({ status: 400, code: '22023' });
    expect(await isMember(dan.id)).toBeNull();
  });

  it('hides an invitation from everyone but its invitee, who alone can accept it (by id or by link)', async () => {
    const erin = await person('erin');
    const mallory = await person('mallory');
    const inv = await invite(admin, erin.email);
    expect((await mallory.client.from('team_invitations').select('id').eq('id', inv.invitation_id)).data).toEqual([]);
    expect((await viewer.from('team_invitations').select('id').eq('id', inv.invitation_id)).data).toEqual([]);
    expect((await mallory.client.rpc('my_invitations')).data).toEqual([]);
    expect(refusal(await mallory.client.rpc('accept_invitation', { p_invitation_id: inv.invitation_id }))).toEqual({
      status: 404,
      code: 'PT404',
      details: 'invitation_not_found',
    });
    // Holding the link is not enough: it must be opened by the invited address.
    expect(refusal(await mallory.client.rpc('accept_invitation', { p_token: inv.token }))).toEqual({
      status: 403,
      code: 'PT403',
      details: 'invitation_wrong_account',
    });
    expect(refusal(await mallory.client.rpc('invitation_by_token', { p_token: inv.token }))).toMatchObject({
      status: 403,
      details: 'invitation_wrong_account',
    });
    expect(refusal(await mallory.client.rpc('decline_invitation', { p_token: inv.token }))).toMatchObject({
      status: 403,
    });
    // The agent of the team's host is no invitee either.
    expect((await clientWith(team.agentToken).rpc('my_invitations')).data).toEqual([]);
    expect(await isMember(mallory.id)).toBeNull();
    expect((await admin.from('team_invitations').select('id').eq('id', inv.invitation_id)).data).toEqual([
      { id: inv.invitation_id },
    ]);
    expect((await erin.client.rpc('accept_invitation', { p_invitation_id: inv.invitation_id })).error).toBeNull();
  });

  it('refuses viewers, owner invitations from admins, bad addresses and members; owners may invite owners', async () => {
    const frank = await person('frank');
    const byViewer = await viewer.rpc('create_invitation', {
      p_team_id: team.teamId,
      p_email: frank.email,
      p_role: 'viewer',
    });
    expect(refusal(byViewer)).toMatchObject({ status: 403, code: '42501' });
    expect(byViewer.error!.message).toMatch(/only owners and admins/);
    const ownerByAdmin = await admin.rpc('create_invitation', {
      p_team_id: team.teamId,
      p_email: frank.email,
      p_role: 'owner',
    });
    expect(refusal(ownerByAdmin)).toMatchObject({ status: 403, code: '42501' });
    const badEmail = await admin.rpc('create_invitation', {
      p_team_id: team.teamId,
      p_email: 'not an address',
      p_role: 'viewer',
    });
    expect(refusal(badEmail)).toMatchObject({ status: 400, code: '22023' });
    expect(badEmail.error!.message).toMatch(/is not an email address/);
    const member = await db.query<{ email: string }>('select email from auth.users where id = $1', [team.viewerId]);
    expect(
      refusal(
        await admin.rpc('create_invitation', { p_team_id: team.teamId, p_email: member.rows[0]!.email.toUpperCase() }),
      ),
    ).toMatchObject({ status: 409, details: 'already_member' });
    const none = await db.query('select 1 from team_invitations where team_id = $1 and email = $2', [
      team.teamId,
      frank.email.toLowerCase(),
    ]);
    expect(none.rowCount).toBe(0);
    const inv = await invite(owner, frank.email, 'owner');
    expect((await frank.client.rpc('accept_invitation', { p_token: inv.token })).error).toBeNull();
    expect(await isMember(frank.id)).toBe('owner');
  });

  it('replaces an open invitation when the address is invited again, and drops invitations whose inviter lost the right', async () => {
    const gina = await person('gina');
    const first = await invite(admin, gina.email);
    const second = await invite(admin, gina.email, 'admin');
    expect(refusal(await gina.client.rpc('accept_invitation', { p_token: first.token }))).toMatchObject({
      details: 'invitation_revoked',
    });
    expect((await gina.client.rpc('my_invitations')).data).toEqual([
      expect.objectContaining({ id: second.invitation_id, role: 'admin' }),
    ]);
    // The inviting admin is demoted: the invitation carried their authority and dies with it.
    await db.query(`update team_members set role = 'viewer' where team_id = $1 and user_id = $2`, [
      team.teamId,
      team.adminId,
    ]);
    try {
      expect(
        refusal(await gina.client.rpc('accept_invitation', { p_invitation_id: second.invitation_id })),
      ).toMatchObject({ status: 410, details: 'invitation_revoked' });
    } finally {
      await db.query(`update team_members set role = 'admin' where team_id = $1 and user_id = $2`, [
        team.teamId,
        team.adminId,
      ]);
    }
    expect(await isMember(gina.id)).toBeNull();
  });
});
