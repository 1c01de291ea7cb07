/**
 * POST /team/invite-mail {teamId, email, token}: after create_invitation, an address without an account gets
 * Auth's invite email (locally in the stack's mailbox, hosted through the project's SMTP). Its link signs the
 * invitee in with that address confirmed and opens /invite/<token>, where the usual check applies: the
 * invitation is usable only by the account with the invited, confirmed address. An address that has an
 * account gets no Auth mail: it sees the invitation when it signs in. Needs SUPABASE_SECRET_KEY on the server.
 */
import { createHash } from 'node:crypto';
import { json } from '@sveltejs/kit';
import { createClient } from '@supabase/supabase-js';
import { PUBLIC_SUPABASE_URL } from '$app/env/public';
import { SUPABASE_SECRET_KEY } from '$app/env/private';
import type { RequestHandler } from './$types';

const refuse = (status: number, code: string, message: string) => json({ code, message }, { status });

export const POST: RequestHandler = async ({ request, locals, url }) => {
  const viewer = await locals.viewer();
  if (!viewer) return refuse(401, 'unauthorized', 'Sign in first');
  let body: { teamId?: unknown; email?: unknown; token?: unknown };
  try {
    body = await request.json();
  } catch {
    return refuse(
      400,
      'bad_json',
      'Send JSON: {"teamId": "<uuid>", "email": "<address>", "token": "<invitation token>"}',
    );
  }
  const { teamId, email, token } = body;
  if (
    typeof teamId !== 'string' ||
    typeof email !== 'string' ||
    typeof token !== 'string' ||
    !/^vibe_invite_[0-9a-f]{64}$/.test(token)
  )
    return refuse(
      400,
      'invalid_request',
      'teamId, email and token (vibe_invite_…, as create_invitation returned it) are required',
    );
  // RLS lets the team's owners and admins (at aal2 where the team requires MFA) read its invitations, and an
  // invitee read the ones to their own address: leaving out the caller's own address makes this the check that
  // the caller manages the team. The token must be this open invitation's (only its sha256 is stored).
  if (email.trim().toLowerCase() === viewer.email?.toLowerCase())
    return refuse(404, 'invitation_not_found', 'No open invitation of this team for that address that you may manage');
  const { data: pending, error } = await locals.supabase
    .from('team_invitations')
    .select('id')
    .eq('team_id', teamId)
    .eq('email', email.trim().toLowerCase())
    .eq('token_hash', createHash('sha256').update(token).digest('hex'))
    .is('accepted_at', null)
    .is('declined_at', null)
    .is('revoked_at', null)
    .gt('expires_at', new Date().toISOString())
    .limit(1);
  if (error) return refuse(400, 'invalid_request', `Cannot read the invitation: ${error.message}`);
  if (!pending?.length)
    return refuse(404, 'invitation_not_found', 'No open invitation of this team for that address that you may manage');
  if (!SUPABASE_SECRET_KEY)
    return refuse(
      501,
      'not_configured',
      'This server has no SUPABASE_SECRET_KEY, so it cannot ask Auth to email an invite: send the link yourself',
    );
  const admin = createClient(PUBLIC_SUPABASE_URL, SUPABASE_SECRET_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const next = `/invite/${token}`;
  const { error: inviteError } = await admin.auth.admin.inviteUserByEmail(email, {
    redirectTo: `${url.origin}/auth/confirm?next=${encodeURIComponent(next)}`,
  });
  if (inviteError?.code === 'email_exists') return json({ sent: false, reason: 'has_account' });
  if (inviteError?.status === 429)
    return refuse(429, 'over_email_send_rate_limit', `Auth refused to send more email now: ${inviteError.message}`);
  if (inviteError) return refuse(502, 'auth_error', `Auth could not send the invite: ${inviteError.message}`);
  return json({ sent: true });
};
