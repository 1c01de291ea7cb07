/** The agent's supabase-js client: its own Auth user, session kept on disk and refreshed automatically. */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../../../supabase/functions/_shared/database.types.ts';
import path from 'node:path';
import type { AgentSettings } from '../config/settings.ts';
import { fileSessionStorage } from './session-store.ts';

/** Creates the client for `settings`; the session lives in `<dataDir>/session.json`. */
export function createAgentClient(settings: Pick<AgentSettings, 'url' | 'key' | 'dataDir'>): SupabaseClient<Database> {
  return createClient<Database>(settings.url, settings.key, {
    auth: {
      storage: fileSessionStorage(path.join(settings.dataDir, 'session.json')),
      storageKey: 'vibe-agent-auth',
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: false,
    },
    global: { headers: { 'x-client-info': 'vibe-agent' } },
  });
}

/** Makes sure the client has a session: the stored one (refreshed by auth-js as needed), or a new password sign-in. */
export async function ensureSession(
  client: SupabaseClient<Database>,
  settings: Pick<AgentSettings, 'email' | 'password'>,
): Promise<void> {
  const { data } = await client.auth.getSession();
  if (data.session) return;
  const { error } = await client.auth.signInWithPassword({ email: settings.email, password: settings.password });
  if (error) throw new Error(`Cannot sign in as the agent user ${settings.email}: ${error.message}`);
}
