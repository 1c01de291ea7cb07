/** Enrollment end to end: an admin creates a host, the agent exchanges the token through /functions/v1/enroll-agent. */
import { createClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, env, superuser } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
const anon = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, { auth: { persistSession: false } });

async function enroll(token: string): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${env.SUPABASE_URL}/functions/v1/enroll-agent`, {
    method: 'POST',
    headers: { apikey: env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('enroll-agent', () => {
  it('exchanges a one-time token for agent credentials that can ingest for that host only', {
    timeout: 120_000,
  }, async () => {
    const team = await createTeam(db);
    const admin = clientWith(team.adminToken);
    const made = await admin.rpc('create_host', {
      p_team_id: team.teamId,
      p_name: 'Enrolled Box',
      p_labels: { env: 'test' },
    });
    expect(made.error).toBeNull();
    const { host_id: hostId, token } = (made.data as { host_id: string; token: string }[])[0]!;
    const stored = await db.query(
      `select token_hash, extract(epoch from expires_at - created_at)::integer as ttl from enrollment_tokens where host_id = $1`,
      [hostId],
    );
    expect(stored.rows[0].token_hash).not.toContain(token);
    expect(stored.rows[0].ttl).toBe(24 * 3600);

    const ok = await enroll(token);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ host_id: hostId, team_id: team.teamId, supabase_url: env.SUPABASE_URL });

    const again = await enroll(token);
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('token_used');
    expect(again.body.message).toMatch(/already used/);

    const agent = createClient(ok.body.supabase_url!, env.SUPABASE_ANON_KEY, { auth: { persistSession: false } });
    const signIn = await agent.auth.signInWithPassword({ email: ok.body.email!, password: ok.body.password! });
    expect(signIn.error).toBeNull();
    const own = await agent
      .from('host_samples')
      .insert({ host_id: hostId, ts: new Date().toISOString(), cpu_total: 12 });
    expect(own.error).toBeNull();
    const other = await agent
      .from('host_samples')
      .insert({ host_id: team.hostId, ts: new Date().toISOString(), cpu_total: 12 });
    expect(other.error?.code).toBe('42501');
    const hosts = await agent.from('hosts').select('id');
    expect(hosts.data).toEqual([{ id: hostId }]);
    await agent.auth.signOut();
  });

  it('rejects an expired token with 401 saying it expired, and an unknown one as invalid', {
    timeout: 120_000,
  }, async () => {
    const team = await createTeam(db);
    const made = await clientWith(team.adminToken).rpc('create_enrollment_token', {
      p_host_id: team.hostId,
      p_valid_for: '1 hour',
    });
    const { token } = (made.data as { token: string }[])[0]!;
    await db.query(`update enrollment_tokens set expires_at = now() - interval '1 second' where host_id = $1`, [
      team.hostId,
    ]);
    const expired = await enroll(token);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('token_expired');
    expect(expired.body.message).toMatch(/expired/);
    const unknown = await enroll('vibe_enroll_0000000000000000000000000000');
    expect(unknown).toMatchObject({ status: 401, body: { error: 'token_invalid' } });
  });

  it('lets only admins create enrollment tokens', async () => {
    const team = await createTeam(db);
    const viewer = await clientWith(team.viewerToken).rpc('create_enrollment_token', { p_host_id: team.hostId });
    expect(viewer.error?.message).toMatch(/only owners and admins/);
    const nobody = await anon.rpc('create_enrollment_token', { p_host_id: team.hostId });
    expect(nobody.error).not.toBeNull();
  });
});
