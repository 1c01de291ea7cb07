/**
 * "Send test message" for the dashboard: POST {"channel_id"} as an owner or admin of the channel's
 * team (or with the service key). Sends a test message straight away (no outbox) and answers with
 * the outcome: 200 {ok, status}; 400 destination_blocked | channel_config; 502 http_error | unreachable; 504 timeout.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../_shared/database.types.ts';
import { json, jsonError } from '../_shared/http.ts';
import { CHANNELS } from './channels/index.ts';
import type { Transport } from './channels/types.ts';
import { toLocale } from '../_shared/i18n/translate.ts';
import type { NotificationMessage } from './message.ts';

/** Who may test a channel: the service key, or a signed-in owner/admin of its team. */
async function authorise(
  admin: SupabaseClient<Database>,
  caller: SupabaseClient<Database> | null,
  token: string | null,
  teamId: string,
): Promise<Response | null> {
  if (!caller || !token) return null;
  const { data: user, error } = await caller.auth.getUser(token);
  if (error || !user.user) return jsonError(401, 'invalid_token', 'Sign in again: the session token was not accepted');
  const member = await admin
    .from('team_members')
    .select('role')
    .eq('team_id', teamId)
    .eq('user_id', user.user.id)
    .maybeSingle();
  if (member.error) return jsonError(500, 'lookup_failed', `Cannot check team membership: ${member.error.message}`);
  const role = (member.data as { role?: string } | null)?.role;
  if (role !== 'owner' && role !== 'admin') {
    return jsonError(403, 'forbidden', "Only owners and admins of the channel's team can send a test message");
  }
  return null;
}

/** Handles a test request; `caller`/`token` are null for service-key requests. */
export async function sendTestMessage(
  channelId: unknown,
  admin: SupabaseClient<Database>,
  caller: SupabaseClient<Database> | null,
  token: string | null,
  transport: Transport,
  dashboardUrl: string,
): Promise<Response> {
  if (typeof channelId !== 'string' || !/^[0-9a-f-]{36}$/i.test(channelId)) {
    return jsonError(400, 'invalid_channel_id', 'Send {"channel_id": "<uuid of the channel>"}');
  }
  const ch = await admin.from('channels').select('id, team_id, name, kind, enabled').eq('id', channelId).maybeSingle();
  if (ch.error) return jsonError(500, 'lookup_failed', `Cannot read the channel: ${ch.error.message}`);
  const channel = ch.data as { id: string; team_id: string; name: string; kind: string; enabled: boolean } | null;
  if (!channel)
    return jsonError(404, 'channel_not_found', `No channel ${channelId}; pick one from the team's channel list`);
  const denied = await authorise(admin, caller, token, channel.team_id);
  if (denied) return denied;
  const secrets = await admin.from('channel_secrets').select('config').eq('channel_id', channelId).maybeSingle();
  if (secrets.error)
    return jsonError(500, 'lookup_failed', `Cannot read the channel's settings: ${secrets.error.message}`);
  const config = ((secrets.data as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<
    string,
    unknown
  >;
  const send = CHANNELS[channel.kind];
  if (!send) return jsonError(400, 'channel_config', `Channel kind ${channel.kind} cannot be sent to`);
  const team = await admin.from('team_settings').select('locale').eq('team_id', channel.team_id).maybeSingle();
  if (team.error) return jsonError(500, 'lookup_failed', `Cannot read the team's language: ${team.error.message}`);
  const message: NotificationMessage = {
    type: 'test',
    channel: { id: channel.id, name: channel.name, kind: channel.kind },
    teamId: channel.team_id,
    alerts: [],
    idempotencyKey: `vibe-test-${crypto.randomUUID()}`,
    dashboardUrl,
    createdAt: new Date().toISOString(),
    locale: toLocale(team.data?.locale),
  };
  const result = await send(message, config, transport);
  if (result.ok) return json({ ok: true, channel_id: channel.id, status: result.status });
  const status =
    result.code === 'destination_blocked' || result.code === 'channel_config'
      ? 400
      : result.code === 'timeout'
        ? 504
        : 502;
  return jsonError(status, result.code, result.error);
}
