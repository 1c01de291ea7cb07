/**
 * The invitation email: sent through the team's email channel (its sender, API key and URL) to the invited
 * address, carrying the one-time /invite/<token> link. Pure apart from the transport.
 */
import { deliver } from './channels/deliver.ts';
import { emailApiRequest, escapeHtml } from './channels/email.ts';
import type { Mail } from './channels/email-providers.ts';
import type { ChannelConfig, OutgoingRequest, SendResult, Transport } from './channels/types.ts';

/** One row of claim_invitation_mails. */
export interface ClaimedInvitationMail {
  mail_id: number;
  invitation_id: string;
  team_id: string;
  team_name: string;
  email: string;
  role: string;
  invited_by_email: string | null;
  expires_at: string;
  token: string | null;
  attempts: number;
  channel_id: string;
  channel_name: string;
  channel_enabled: boolean;
  config: ChannelConfig;
}

/** The page that shows the invitation and accepts it: <dashboard>/invite/<token>. */
export function invitationUrl(dashboardUrl: string, token: string): string {
  return `${dashboardUrl.replace(/\/+$/, '')}/invite/${encodeURIComponent(token)}`;
}

/** The invitation mail (pure); the channel's provider shapes the request. */
export function invitationEmailPayload(
  mail: ClaimedInvitationMail,
  token: string,
  dashboardUrl: string,
  from: string,
): Mail {
  const inviter = mail.invited_by_email ?? 'A team admin';
  const link = invitationUrl(dashboardUrl, token);
  const expires = new Date(mail.expires_at).toISOString();
  const lead = `${inviter} invited you to join the team "${mail.team_name}" on OpenManager Vibe as ${mail.role}.`;
  const terms = `Sign in (or sign up) as ${mail.email} to accept: the link works once, only for that address, until ${expires}.`;
  const ignore = 'If you did not expect this invitation, ignore this email.';
  return {
    from,
    to: [mail.email],
    subject: `[OpenManager Vibe] ${inviter} invited you to ${mail.team_name}`.slice(0, 250),
    text: `${lead}\n\nAccept or decline: ${link}\n\n${terms}\n${ignore}\n`,
    html:
      `<p>${escapeHtml(lead)}</p><p><a href="${escapeHtml(link)}">Accept or decline the invitation</a></p>` +
      `<p><small>${escapeHtml(terms)} ${escapeHtml(ignore)}</small></p>`,
  };
}

/** The email API request for one invitation; the idempotency key is the invitation's, the same on every retry. */
export function invitationEmailRequest(
  mail: ClaimedInvitationMail,
  token: string,
  dashboardUrl: string,
): OutgoingRequest {
  return emailApiRequest(mail.config, `vibe-invitation-${mail.invitation_id}`, (from) =>
    invitationEmailPayload(mail, token, dashboardUrl, from),
  );
}

/** Sends one invitation mail; a disabled channel or a missing token is a permanent failure. */
export async function sendInvitationMail(
  mail: ClaimedInvitationMail,
  dashboardUrl: string,
  transport: Transport,
): Promise<SendResult> {
  if (!mail.channel_enabled) {
    return {
      ok: false,
      permanent: true,
      code: 'channel_config',
      error: `Channel "${mail.channel_name}" is disabled; enable it to send`,
    };
  }
  if (!mail.token)
    return {
      ok: false,
      permanent: true,
      code: 'channel_config',
      error: 'The invitation link is gone; invite the address again',
    };
  const token = mail.token;
  return deliver(() => invitationEmailRequest(mail, token, dashboardUrl), transport);
}
