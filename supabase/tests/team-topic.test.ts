/**
 * The private Realtime topic `team:<team_id>` end to end through supabase-js: users signed up through
 * /auth/v1, a team made by its owner, an agent enrolled through create_host + enroll-agent, and the
 * ingest trigger's broadcast reaching the team's members only.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import { Inbox, subscribe } from '../../stack/test/realtime-helpers.ts';
import { env, uniq } from './helpers.ts';

const clients: SupabaseClient[] = [];
afterAll(async () => {
  for (const c of clients) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
});

const newClient = (): SupabaseClient => {
  const c = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  clients.push(c);
  return c;
};

/** A user signed up through /auth/v1; its client carries the session to REST and Realtime. */
async function signUp(label: string): Promise<{ client: SupabaseClient; id: string; email: string }> {
  const client = newClient();
  const email = `${label}-${uniq()}@test.local`;
  const { data, error } = await client.auth.signUp({ email, password: `pw-${uniq()}-${uniq()}` });
  if (error || !data.session || !data.user) throw new Error(`sign-up of ${label} failed: ${error?.message}`);
  return { client, id: data.user.id, email };
}

/** A team created by `owner` (the insert trigger makes the creator its owner). */
async function createTeam(owner: SupabaseClient): Promise<string> {
  const id = randomUUID(); // chosen here: the row is not readable to its creator until the trigger has run
  const { error } = await owner.from('teams').insert({ id, name: `topic-${uniq()}` });
  if (error) throw new Error(`Cannot create a team: ${error.message}`);
  return id;
}

type Ingest = {
  event: string;
  payload: { table: string; hosts: { host_id: string; team_id: string; cpu_total: number }[]; events: unknown[] };
};

const join = (c: SupabaseClient, teamId: string, inbox?: Inbox<Ingest>): RealtimeChannel => {
  const ch = c.channel(`team:${teamId}`, { config: { private: true } });
  if (inbox) ch.on('broadcast', { event: 'ingest' }, (m) => inbox.push(m as unknown as Ingest));
  return ch;
};

describe('private team topic', () => {
  it("delivers an agent's ingest broadcast to the team's owner and viewer, and refuses other teams and anon", {
    timeout: 120_000,
  }, async () => {
    const [owner1, viewer1, owner2] = await Promise.all([signUp('owner1'), signUp('viewer1'), signUp('owner2')]);
    const team1 = await createTeam(owner1.client);
    const team2 = await createTeam(owner2.client);
    // The viewer joins the only way there is: invited by the owner, accepting with the link token.
    const invited = await owner1.client.rpc('create_invitation', {
      p_team_id: team1,
      p_email: viewer1.email,
      p_role: 'viewer',
    });
    expect(invited.error).toBeNull();
    const added = await viewer1.client.rpc('accept_invitation', {
      p_token: (invited.data as { token: string }[])[0]!.token,
    });
    expect(added.error).toBeNull();

    // The agent: a host made by the owner, its one-time token exchanged through the edge function.
    const made = await owner1.client.rpc('create_host', {
      p_team_id: team1,
      p_name: `topic-host-${uniq()}`,
      p_labels: {},
    });
    expect(made.error).toBeNull();
    const { host_id: hostId, token } = (made.data as { host_id: string; token: string }[])[0]!;
    const res = await fetch(`${env.SUPABASE_URL}/functions/v1/enroll-agent`, {
      method: 'POST',
      headers: { apikey: env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    const creds = (await res.json()) as { email: string; password: string };
    const agent = newClient();
    expect((await agent.auth.signInWithPassword({ email: creds.email, password: creds.password })).error).toBeNull();

    // Team 2's owner and an anonymous client are refused with the hosted reason; team 2's own topic admits its owner.
    const refusal = `Unauthorized: You do not have permissions to read from this Channel topic: team:${team1}`;
    await expect(subscribe(join(owner2.client, team1))).rejects.toThrow(refusal);
    await expect(subscribe(join(newClient(), team1))).rejects.toThrow(refusal);
    const heardByTeam2 = new Inbox<Ingest>();
    await subscribe(join(owner2.client, team2, heardByTeam2));

    const heardByOwner = new Inbox<Ingest>();
    const heardByViewer = new Inbox<Ingest>();
    await Promise.all([
      subscribe(join(owner1.client, team1, heardByOwner)),
      subscribe(join(viewer1.client, team1, heardByViewer)),
    ]);

    const ingest = await agent
      .from('host_samples')
      .insert({ host_id: hostId, ts: new Date().toISOString(), cpu_total: 42.5, mem_total: 1024, mem_used: 512 });
    expect(ingest.error).toBeNull();

    for (const inbox of [heardByOwner, heardByViewer]) {
      const msg = await inbox.next(10_000);
      expect(msg.payload.table).toBe('host_samples');
      expect(msg.payload.hosts).toHaveLength(1);
      expect(msg.payload.hosts[0]).toMatchObject({ host_id: hostId, team_id: team1, cpu_total: 42.5, mem_percent: 50 });
      expect(msg.payload.events).toEqual([]);
    }
    expect(await heardByTeam2.quiet(1000)).toBe(true);
  });
});
