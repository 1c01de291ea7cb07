/**
 * enroll-agent: exchanges a one-time enrollment token for agent credentials.
 * POST { token } → 200 { host_id, team_id, email, password, supabase_url };
 * 401 { error: token_used | token_expired | token_invalid, message };
 * 429 { error: over_request_rate_limit, message } with Retry-After after too many failed attempts from one address.
 * verify_jwt = false (config.toml): the caller holds only the anon/publishable key and the token.
 * Env: VIBE_ENROLL_RATE_LIMIT (30 failed attempts per address and window), VIBE_ENROLL_RATE_WINDOW_S (300),
 * VIBE_ENROLL_PROXY_HOPS (0: the client is the rightmost X-Forwarded-For entry; see client-address.ts).
 */
import { createClient } from '@supabase/supabase-js';
import type { Database } from '../_shared/database.types.ts';
import { corsHeaders } from '../_shared/http.ts';
import { enroll } from './enroll.ts';
import { rateLimitSettings } from './rate-limit.ts';

const supabaseUrl = Deno.env.get('SUPABASE_URL');
const serviceKey = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY');
if (!supabaseUrl || !serviceKey)
  throw new Error('enroll-agent needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY in its environment');
const admin = createClient<Database>(supabaseUrl, serviceKey, {
  auth: { persistSession: false, autoRefreshToken: false },
});
const limits = rateLimitSettings((name) => Deno.env.get(name));

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
  return await enroll(req, admin, supabaseUrl, limits);
});
