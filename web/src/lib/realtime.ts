/** The team's private Realtime channel: `team:<id>`, events `ingest` and `processes`, authorised by RLS on realtime.messages. */
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '$shared/database.types.ts';
import type { IngestPayload } from './host-model.ts';

/** Channel health as the dashboard shows it. */
export type ChannelState = 'connecting' | 'live' | 'down';

/** Callbacks of a team subscription. */
export interface TeamChannelHandlers {
  onIngest(payload: IngestPayload): void;
  onState(state: ChannelState, detail?: string): void;
}

/**
 * Joins `team:<teamId>` as a private channel with the signed-in user's token. realtime-js rejoins by
 * itself after a drop; every SUBSCRIBED after the first is reported as `live` again so callers can catch up.
 */
export async function subscribeTeam(
  supabase: SupabaseClient<Database>,
  teamId: string,
  handlers: TeamChannelHandlers,
): Promise<() => void> {
  // Private channels are authorised with the user's JWT, which must be set before the join.
  await supabase.realtime.setAuth();
  handlers.onState('connecting');
  const channel: RealtimeChannel = supabase
    .channel(`team:${teamId}`, { config: { private: true } })
    .on('broadcast', { event: 'ingest' }, (msg) => handlers.onIngest(msg.payload as IngestPayload))
    // The newest top processes per host, sent apart from `ingest` so that stays small.
    .on('broadcast', { event: 'processes' }, (msg) => handlers.onIngest(msg.payload as IngestPayload))
    .subscribe((status, err) => {
      if (status === 'SUBSCRIBED') handlers.onState('live');
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT' || status === 'CLOSED')
        handlers.onState('down', err?.message ?? status);
    });
  return () => void supabase.removeChannel(channel);
}
