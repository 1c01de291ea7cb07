/**
 * A team admin cannot turn enrollment into "delete any user": hosts.agent_user_id is not theirs to set
 * (column grants refuse the PATCH and the insert with 42501), and enroll-agent deletes a previous user only
 * when that user is the host's own agent (app_metadata vibe_role agent, host_id this host).
 */
import { createClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, env, serviceClient, superuser, uniq } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());

/** A user with a known password, as someone outside the team signs up. */
async function victim(): Promise<{ id: string; email: string; password: string }> {
  const email = `victim-${uniq()}@test.local`;
  const password = `pw-${uniq()}-${uniq()}`;
  const { data, error } = await serviceClient().auth.admin.createUser({ email, password, email_confirm: true });
  if (error || !data.user) throw new Error(`Cannot create the victim: ${error?.message}`);
  return { id: data.user.id, email, password };
}

async function signsIn(email: string, password: string): Promise<boolean> {
  const c = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { error } = await c.auth.signInWithPassword({ email, password });
  return error === null;
}

async function enroll(token: string): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/enroll-agent`, {
    method: 'POST',
    headers: { apikey: env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function newToken(adminToken: string, hostId: string): Promise<string> {
  const made = await clientWith(adminToken).rpc('create_enrollment_token', { p_host_id: hostId });
  if (made.error) throw new Error(`Cannot create a token: ${made.error.message}`);
  return (made.data as { token: string }[])[0]!.token;
}

describe('re-enrollment cannot delete users', () => {
  it('refuses an admin setting agent_user_id (patch and insert) with 42501, and the victim still signs in', {
    timeout: 120_000,
  }, async () => {
    const team = await createTeam(db);
    const v = await victim();
    const admin = clientWith(team.adminToken);

    const patched = await admin.from('hosts').update({ agent_user_id: v.id }).eq('id', team.hostId).select('id');
    // PostgREST answers 42501 for a signed-in role with 403.
    expect(patched.status).toBe(403);
    expect(patched.error?.code).toBe('42501');
    expect(patched.error?.message).toMatch(/permission denied/);
    const inserted = await admin
      .from('hosts')
      .insert({ team_id: team.teamId, name: `planted-${uniq()}`, agent_user_id: v.id });
    expect(inserted.error?.code).toBe('42501');
    const upserted = await admin
      .from('hosts')
      .upsert({ id: team.hostId, team_id: team.teamId, name: 'x', agent_user_id: v.id });
    expect(upserted.error?.code).toBe('42501');
    const still = await db.query('select agent_user_id from hosts where id = $1', [team.hostId]);
    expect(still.rows[0].agent_user_id).toBe(team.agentUserId);

    // The attack's second half: enroll the host with a fresh token. The host's real agent is replaced, the victim is untouched.
    const ok = await enroll(await newToken(team.adminToken, team.hostId));
    expect(ok.status).toBe(200);
    expect(await signsIn(v.email, v.password)).toBe(true);
  });

  it('lets admins still edit the columns a user edits, and the agent still ingest', { timeout: 60_000 }, async () => {
    const team = await createTeam(db);
    const admin = clientWith(team.adminToken);
    const edited = await admin
      .from('hosts')
      .update({ name: 'Renamed', slug: `renamed-${uniq()}`, labels: { env: 'staging' }, sample_interval_s: 30 })
      .eq('id', team.hostId)
      .select('name, labels, sample_interval_s');
    expect(edited.error).toBeNull();
    expect(edited.data).toEqual([{ name: 'Renamed', labels: { env: 'staging' }, sample_interval_s: 30 }]);
    const moved = await admin.from('hosts').update({ last_seen_at: new Date().toISOString() }).eq('id', team.hostId);
    expect(moved.error?.code).toBe('42501');
    const made = await admin.rpc('create_host', {
      p_team_id: team.teamId,
      p_name: `new-${uniq()}`,
      p_labels: { a: 'b' },
    });
    expect(made.error).toBeNull();
    const added = await admin
      .from('hosts')
      .insert({ team_id: team.teamId, name: `direct-${uniq()}`, sample_interval_s: 60 })
      .select('id');
    expect(added.error).toBeNull();
    const ingest = await clientWith(team.agentToken)
      .from('host_samples')
      .insert({ host_id: team.hostId, ts: new Date().toISOString(), cpu_total: 5 });
    expect(ingest.error).toBeNull();
  });

  it("deletes only the host's own previous agent on re-enrollment, never another user bound to the host", {
    timeout: 120_000,
  }, async () => {
    const team = await createTeam(db);
    const made = await clientWith(team.adminToken).rpc('create_host', {
      p_team_id: team.teamId,
      p_name: `box-${uniq()}`,
    });
    const { host_id: hostId, token } = (made.data as { host_id: string; token: string }[])[0]!;
    const first = await enroll(token);
    expect(first.status).toBe(200);
    expect(await signsIn(first.body.email!, first.body.password!)).toBe(true);

    // Re-enrolling revokes the host's own agent: its user is removed.
    const second = await enroll(await newToken(team.adminToken, hostId));
    expect(second.status).toBe(200);
    expect(await signsIn(first.body.email!, first.body.password!)).toBe(false);
    expect(await signsIn(second.body.email!, second.body.password!)).toBe(true);

    // Whatever way a foreign user ends up in agent_user_id (here: the superuser), enrollment never deletes them.
    const v = await victim();
    await db.query('update hosts set agent_user_id = $1 where id = $2', [v.id, hostId]);
    const third = await enroll(await newToken(team.adminToken, hostId));
    expect(third.status).toBe(200);
    expect(await signsIn(v.email, v.password)).toBe(true);
    // An agent of another host is not this host's agent either.
    const meta = await serviceClient().auth.admin.updateUserById(team.agentUserId, {
      app_metadata: { vibe_role: 'agent', host_id: team.hostId, team_id: team.teamId },
    });
    expect(meta.error).toBeNull();
    await db.query('update hosts set agent_user_id = $1 where id = $2', [team.agentUserId, hostId]);
    const fourth = await enroll(await newToken(team.adminToken, hostId));
    expect(fourth.status).toBe(200);
    const other = await serviceClient().auth.admin.getUserById(team.agentUserId);
    expect(other.error).toBeNull();
    expect(other.data.user?.id).toBe(team.agentUserId);
  });
});
