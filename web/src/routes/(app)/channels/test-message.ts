/** Sends a channel's test message through the dispatch-notifications edge function (POST {channel_id}, owners and admins). */
import { m } from '#lib/paraglide/messages.js';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';

/** The outcome shown beside the channel. */
export async function sendTestMessage(
  sb: SupabaseClient<Database>,
  channelId: string,
): Promise<{ ok: boolean; text: string }> {
  const { data, error } = await sb.functions.invoke('dispatch-notifications', { body: { channel_id: channelId } });
  if (error) {
    // FunctionsHttpError carries the function's JSON body, which says what went wrong.
    const body = await (error as { context?: Response }).context?.json?.().catch(() => null);
    return { ok: false, text: m.channels_test_failed({ reason: body?.message ?? body?.error ?? error.message }) };
  }
  const status = (data as { status?: number } | null)?.status;
  return { ok: true, text: status ? m.channels_test_delivered_status({ status }) : m.channels_test_delivered() };
}
