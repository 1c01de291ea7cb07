/**
 * dispatch-notifications: sends due outbox rows (Slack, Discord, email APIs, webhook, Teams, Telegram, PagerDuty, ntfy).
 *   POST {"reason": "new" | "schedule"} with the service key (pg_net after new events; pg_cron every minute)
 *     → 200 {claimed, messages, sent, retried, failed, errors, invitations: {…the same for invitation mails}}
 *   POST {"reason": "invitation"} with the service key (pg_net after create_invitation queued a mail; pg_cron)
 *     → 200 {invitations: {claimed, messages, sent, retried, failed, errors}}
 *   POST {"channel_id"} as a team owner/admin (or service key) → sends a test message (test-message.ts)
 * verify_jwt = false (config.toml): the function checks the service key or the user itself.
 * Env: VIBE_DASHBOARD_URL (links), VIBE_NOTIFY_MAX_ATTEMPTS (8), VIBE_NOTIFY_GROUP_WAIT_MS (250),
 * VIBE_ALLOWED_DEV_HOSTS (destinations exempt from the https/public-address rule, for local receivers),
 * VIBE_PROVIDER_API_BASE (tests only: the provider APIs' origin, provider-base.ts).
 */
import { corsHeaders, json, jsonError, readJsonObject } from '../_shared/http.ts';
import { bearerToken, isServiceRequest } from '../_shared/service-auth.ts';
import { callerClient, serviceClient } from '../_shared/supabase-admin.ts';
import { dispatch, type ClaimedRow, type DispatchSettings, type Outbox } from './dispatch.ts';
import type { ClaimedInvitationMail } from './invitation-mail.ts';
import { dispatchInvitations, type InvitationOutbox } from './invitations.ts';
import { sendTestMessage } from './test-message.ts';
import { httpTransport } from './transport.ts';

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = Deno.env.get(name);
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`Invalid ${name}=${raw}: expected a whole number ${min}..${max}`);
  return n;
}

const settings: DispatchSettings = Object.freeze({
  dashboardUrl: Deno.env.get('VIBE_DASHBOARD_URL') || 'http://127.0.0.1:5173',
  maxAttempts: intEnv('VIBE_NOTIFY_MAX_ATTEMPTS', 8, 1, 100),
  batchSize: 200,
  maxAlertsPerMessage: 20,
  concurrency: 8,
});
const groupWaitMs = intEnv('VIBE_NOTIFY_GROUP_WAIT_MS', 250, 0, 10_000);
const admin = serviceClient();
const transport = httpTransport();

const outbox: Outbox = {
  async claim(limit) {
    const { data, error } = await admin.rpc('claim_notifications', { p_limit: limit, p_lease_seconds: 120 });
    if (error) throw new Error(`Cannot claim notifications: ${error.message}`);
    // config, event and host are jsonb (Json in the generated types); claim_notifications builds them.
    const rows = (data ?? []) as unknown as ClaimedRow[];
    return await withTeamLocales(rows);
  },
  async settle(ids, failure, maxAttempts, permanent) {
    const res = await admin.rpc('settle_notifications', {
      p_ids: ids,
      p_error: failure?.reason,
      p_error_detail: failure?.detail,
      p_max_attempts: maxAttempts,
      p_permanent: permanent,
    });
    if (res.error) throw new Error(`Cannot settle notifications ${ids.join(',')}: ${res.error.message}`);
  },
};

/** Each row's team language (team_settings.locale), so titles are rendered in it. */
async function withTeamLocales(rows: ClaimedRow[]): Promise<ClaimedRow[]> {
  const teams = [...new Set(rows.map((r) => r.team_id))];
  if (teams.length === 0) return rows;
  const { data, error } = await admin.from('team_settings').select('team_id, locale').in('team_id', teams);
  if (error) throw new Error(`Cannot read the teams' languages: ${error.message}`);
  const locales = new Map((data ?? []).map((t) => [t.team_id, t.locale]));
  return rows.map((r) => ({ ...r, team_locale: locales.get(r.team_id) ?? 'en' }));
}

const invitationOutbox: InvitationOutbox = {
  async claim(limit) {
    const { data, error } = await admin.rpc('claim_invitation_mails', { p_limit: limit, p_lease_seconds: 120 });
    if (error) throw new Error(`Cannot claim invitation mails: ${error.message}`);
    return (data ?? []) as ClaimedInvitationMail[];
  },
  async settle(ids, error, maxAttempts, permanent) {
    const res = await admin.rpc('settle_invitation_mails', {
      p_ids: ids,
      ...(error === null ? {} : { p_error: error }),
      p_max_attempts: maxAttempts,
      p_permanent: permanent,
    });
    if (res.error) throw new Error(`Cannot settle invitation mails ${ids.join(',')}: ${res.error.message}`);
  },
};

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
  if (req.method !== 'POST') return jsonError(405, 'method_not_allowed', `Use POST, not ${req.method}`);
  const body = await readJsonObject(req, '{"reason": "schedule"} or {"channel_id": "<uuid>"}');
  if (body instanceof Response) return body;
  const service = isServiceRequest(req);
  if (body.channel_id !== undefined) {
    const token = service ? null : bearerToken(req);
    if (!service && !token)
      return jsonError(401, 'unauthorized', "Send the signed-in user's access token as Authorization: Bearer <token>");
    return await sendTestMessage(
      body.channel_id,
      admin,
      token ? callerClient(`Bearer ${token}`) : null,
      token,
      transport,
      settings.dashboardUrl,
    );
  }
  if (!service)
    return jsonError(
      401,
      'unauthorized',
      'Dispatching needs the service key (pg_net and pg_cron send it); dashboards use {"channel_id"} for a test message',
    );
  try {
    // Invitation mails first: they wait for no burst, and a run for alerts also sends any that are due.
    const invitations = await dispatchInvitations(invitationOutbox, transport, settings);
    if (body.reason === 'invitation') return json({ invitations });
    // Events of one burst (one ingest batch after another) land in one message per channel.
    if (body.reason === 'new' && groupWaitMs > 0) await new Promise((r) => setTimeout(r, groupWaitMs));
    return json({ ...(await dispatch(outbox, transport, settings)), invitations });
  } catch (err) {
    return jsonError(500, 'dispatch_failed', err instanceof Error ? err.message : String(err));
  }
});
