/** A dashboard client: a team member's supabase-js subscribed to the team's private Realtime topic, counting what arrives. */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { StackUrls } from '../../../testkit/src/provision.ts';

/** What the dashboard received. */
export interface DashboardTally {
  /** `ingest` broadcasts. */
  messages: number;
  /** Ids of alert events carried by them. */
  eventIds: Set<number>;
}

/** Subscribes as the user with `email`/`password`; resolves once joined. */
export async function subscribeDashboard(
  env: StackUrls,
  teamId: string,
  email: string,
  password: string,
): Promise<{ tally: DashboardTally; client: SupabaseClient; close: () => Promise<void> }> {
  const client = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: true },
  });
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`Dashboard user cannot sign in: ${error.message}`);
  const tally: DashboardTally = { messages: 0, eventIds: new Set() };
  const channel = client
    .channel(`team:${teamId}`, { config: { private: true } })
    .on('broadcast', { event: 'ingest' }, (m) => {
      tally.messages++;
      const events = (m.payload as { events?: { id: number }[] }).events ?? [];
      for (const e of events) tally.eventIds.add(Number(e.id));
    });
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT')
        reject(new Error(`Dashboard cannot join team:${teamId}: ${status} ${err?.message ?? ''}`));
    });
  });
  return {
    tally,
    client,
    async close() {
      await client.removeAllChannels();
      client.realtime.disconnect();
    },
  };
}
