/**
 * enroll-agent: exchanges a one-time enrollment token for agent credentials.
 * POST { token } → 200 { host_id, team_id, email, password, supabase_url };
 * 401 { error: token_used | token_expired | token_invalid, message }.
 * verify_jwt = false (config.toml): the caller holds only the anon/publishable key and the token.
 */
import { createClient } from 'npm:@supabase/supabase-js@2.119.1';
import { corsHeaders } from '../_shared/http.ts';
import { enroll } from './enroll.ts';

const supabaseUrl = Deno.env.get('SUPABASE_URL');
const serviceKey = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY');
if (!supabaseUrl || !serviceKey) throw new Error('enroll-agent needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY in its environment');
const admin = createClient(supabaseUrl, serviceKey, { auth: { persistSession: false, autoRefreshToken: false } });

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
  return await enroll(req, admin, supabaseUrl);
});
