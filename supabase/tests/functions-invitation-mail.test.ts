/**
 * Invitation mails end to end: an admin invites through supabase-js, create_invitation queues a mail
 * because the team has an email channel, pg_net wakes dispatch-notifications after commit, and a local
 * receiver standing in for the email API checks the exact payload. The link in the mail accepts the
 * invitation; the raw token is wiped from the outbox once sent and is readable by no API role meanwhile.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNotifyReceiver, type NotifyReceiver } from './functions-receiver.ts';
import { clientWith, createTeam, env, mintToken, serviceClient, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
const DASHBOARD = 'http://127.0.0.1:5173';
let rx: NotifyReceiver;
let team: TeamFixture;
let admin: SupabaseClient;
let adminEmail: string;
let teamName: string;

async function invitee(label: string): Promise<{ email: string; client: SupabaseClient }> {
  const email = `${label}-${uniq()}@example.test`;
  const { data, error } = await serviceClient().auth.admin.createUser({
    email,
    password: `pw-${uniq()}`,
    email_confirm: true,
  });
  if (error || !data.user) throw new Error(`Cannot create ${label}: ${error?.message}`);
  return { email, client: clientWith(await mintToken(data.user.id)) };
}

async function emailChannel(teamId: string, path: string): Promise<string> {
  const c = await db.query<{ id: string }>(
    `insert into channels (team_id, name, kind) values ($1, $2, 'email') returning id`,
    [teamId, `mail-${uniq()}`],
  );
  const config = {
    to: ['ops@example.com'],
    from: 'Vibe <invites@example.com>',
    api_key: 're_invite_123',
    api_url: rx.url(path),
  };
  await db.query(`insert into channel_secrets (channel_id, team_id, config) values ($1, $2, $3)`, [
    c.rows[0]!.id,
    teamId,
    config,
  ]);
  return c.rows[0]!.id;
}

async function waitMail(
  invitationId: string,
  pred: (r: { status: string; link_token: string | null; mail_status: string | null }) => boolean,
) {
  const end = Date.now() + 20_000;
  for (;;) {
    const { rows } = await db.query(
      `select m.status, m.link_token, i.mail_status, i.mail_error from private.invitation_mails m
       join team_invitations i on i.id = m.invitation_id where m.invitation_id = $1`,
      [invitationId],
    );
    if (rows[0] && pred(rows[0])) return rows[0];
    if (Date.now() > end) throw new Error(`The invitation mail never settled: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  rx = await startNotifyReceiver();
  team = await createTeam(db);
  admin = clientWith(team.adminToken);
  adminEmail = (await db.query<{ email: string }>('select email from auth.users where id = $1', [team.adminId]))
    .rows[0]!.email;
  teamName = (await db.query<{ name: string }>('select name from teams where id = $1', [team.teamId])).rows[0]!.name;
  await emailChannel(team.teamId, '/emails/invite');
});
afterAll(async () => {
  await rx.close();
  await db.end();
});

describe('invitation mail', () => {
  it("mails the invitee the exact payload through the team's email channel, then wipes the token", {
    timeout: 60_000,
  }, async () => {
    const ivy = await invitee('ivy');
    const { data, error } = await admin.rpc('create_invitation', {
      p_team_id: team.teamId,
      p_email: ivy.email,
      p_role: 'admin',
    });
    expect(error).toBeNull();
    const inv = (data as { invitation_id: string; token: string; expires_at: string; mailed: boolean }[])[0]!;
    expect(inv.mailed).toBe(true);
    // Queued: the token waits in the private outbox, which no API role can read (viewers included).
    const viewer = clientWith(team.viewerToken);
    expect((await viewer.from('team_invitations').select('*')).data).toEqual([]);
    const viaRest = await fetch(`${env.SUPABASE_URL}/rest/v1/invitation_mails?select=*`, {
      headers: {
        apikey: env.SUPABASE_ANON_KEY,
        authorization: `Bearer ${team.viewerToken}`,
        'accept-profile': 'private',
      },
    });
    expect(viaRest.status).toBe(406);
    expect(await viaRest.text()).not.toContain(inv.token);

    const [d] = await rx.waitFor('/emails/invite', 1, 30_000);
    const link = `${DASHBOARD}/invite/${inv.token}`;
    const expires = new Date(inv.expires_at).toISOString();
    const lead = `${adminEmail} invited you to join the team "${teamName}" on OpenManager Vibe as admin.`;
    const terms = `Sign in (or sign up) as ${ivy.email} to accept: the link works once, only for that address, until ${expires}.`;
    expect(d!.headers.authorization).toBe('Bearer re_invite_123');
    expect(d!.headers['content-type']).toBe('application/json');
    expect(d!.headers['idempotency-key']).toBe(`vibe-invitation-${inv.invitation_id}`);
    expect(d!.json).toEqual({
      from: 'Vibe <invites@example.com>',
      to: [ivy.email],
      subject: `[OpenManager Vibe] ${adminEmail} invited you to ${teamName}`,
      text: `${lead}\n\nAccept or decline: ${link}\n\n${terms}\nIf you did not expect this invitation, ignore this email.\n`,
      html:
        `<p>${lead.replace(/"/g, '&quot;')}</p><p><a href="${link}">Accept or decline the invitation</a></p>` +
        `<p><small>${terms} If you did not expect this invitation, ignore this email.</small></p>`,
    });
    const settled = await waitMail(inv.invitation_id, (r) => r.status === 'sent');
    expect(settled).toMatchObject({ status: 'sent', link_token: null, mail_status: 'sent', mail_error: null });

    // The link in the mail is the way in.
    const token = /\/invite\/(vibe_invite_[0-9a-f]+)/.exec((d!.json as { text: string }).text)![1]!;
    const accepted = await ivy.client.rpc('accept_invitation', { p_token: token });
    expect(accepted.error).toBeNull();
    expect(accepted.data).toEqual([{ team_id: team.teamId, team_name: teamName, role: 'admin' }]);
    expect(rx.to('/emails/invite')).toHaveLength(1);
  });

  it("marks the mail failed with the API's answer when the email API refuses it, and wipes the token", {
    timeout: 60_000,
  }, async () => {
    const other = await createTeam(db);
    await emailChannel(other.teamId, '/emails/refuse');
    rx.answer('/emails/refuse', 422);
    const ivan = await invitee('ivan');
    const { data } = await clientWith(other.ownerToken).rpc('create_invitation', {
      p_team_id: other.teamId,
      p_email: ivan.email,
    });
    const inv = (data as { invitation_id: string }[])[0]!;
    await rx.waitFor('/emails/refuse', 1, 30_000);
    const settled = await waitMail(inv.invitation_id, (r) => r.status === 'failed');
    expect(settled).toMatchObject({
      link_token: null,
      mail_status: 'failed',
      mail_error: expect.stringMatching(/^Email API \(Resend\) answered HTTP 422/),
    });
  });

  it('mails nothing when the team has no email channel', async () => {
    const bare = await createTeam(db);
    const owner = clientWith(bare.ownerToken);
    const { data } = await owner.rpc('create_invitation', {
      p_team_id: bare.teamId,
      p_email: `nomail-${uniq()}@example.test`,
    });
    expect((data as { mailed: boolean }[])[0]!.mailed).toBe(false);
    const { rows } = await db.query('select mail_status from team_invitations where id = $1', [
      (data as { invitation_id: string }[])[0]!.invitation_id,
    ]);
    expect(rows[0]).toEqual({ mail_status: null });
  });
});
