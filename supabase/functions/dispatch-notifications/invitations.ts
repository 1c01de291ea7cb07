/**
 * One run over the invitation mail outbox: claim due mails, send each to its invitee through the team's
 * email channel, settle each (settling wipes the link token). Runtime-neutral: RPCs and transport passed in.
 */
import type { Transport } from './channels/types.ts';
import type { DispatchReport, DispatchSettings } from './dispatch.ts';
import { sendInvitationMail, type ClaimedInvitationMail } from './invitation-mail.ts';

/** The invitation outbox RPCs (claim_invitation_mails, settle_invitation_mails). */
export interface InvitationOutbox {
  claim(limit: number): Promise<ClaimedInvitationMail[]>;
  settle(ids: number[], error: string | null, maxAttempts: number, permanent: boolean): Promise<void>;
}

async function sendOne(
  mail: ClaimedInvitationMail,
  outbox: InvitationOutbox,
  transport: Transport,
  s: DispatchSettings,
  report: DispatchReport,
): Promise<void> {
  report.messages++;
  let error: string | null = null;
  let permanent = false;
  try {
    const result = await sendInvitationMail(mail, s.dashboardUrl, transport);
    if (!result.ok) ({ error, permanent } = result);
  } catch (err) {
    error = `Cannot send the invitation to ${mail.email}: ${err instanceof Error ? err.message : String(err)}`;
  }
  await outbox.settle([Number(mail.mail_id)], error, s.maxAttempts, permanent);
  if (error === null) report.sent++;
  else {
    report.errors.push(error);
    if (permanent || mail.attempts + 1 >= s.maxAttempts) report.failed++;
    else report.retried++;
  }
}

/** Claims and sends invitation mails until none is due (or `maxRounds` batches were handled). */
export async function dispatchInvitations(
  outbox: InvitationOutbox,
  transport: Transport,
  s: DispatchSettings,
  maxRounds = 5,
): Promise<DispatchReport> {
  const report: DispatchReport = { claimed: 0, messages: 0, sent: 0, retried: 0, failed: 0, errors: [] };
  for (let round = 0; round < maxRounds; round++) {
    const mails = await outbox.claim(s.batchSize);
    report.claimed += mails.length;
    const queue = [...mails];
    const workers = Array.from({ length: Math.min(s.concurrency, queue.length) }, async () => {
      for (let m = queue.shift(); m; m = queue.shift()) await sendOne(m, outbox, transport, s, report);
    });
    await Promise.all(workers);
    if (mails.length < s.batchSize) break;
  }
  return report;
}
