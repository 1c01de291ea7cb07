/**
 * detect-anomalies, every minute (pg_cron, service key): refreshes stale seasonal baselines into
 * anomaly_baselines (hourly per host × metric), evaluates every anomaly rule on every host it covers,
 * and records firing/resolved events through alert_states, alert_events and the outbox.
 *   POST {} or {"at": "<ISO time>"} (evaluate as of a past moment: backfills, tests) → 200 DetectReport
 * verify_jwt = false (config.toml): the function checks the service key itself.
 */
import { corsHeaders, json, jsonError, readJsonObject } from '../_shared/http.ts';
import { isServiceRequest } from '../_shared/service-auth.ts';
import { serviceClient } from '../_shared/supabase-admin.ts';
import { detectAnomalies } from './run.ts';

const admin = serviceClient();

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
  if (req.method !== 'POST') return jsonError(405, 'method_not_allowed', `Use POST, not ${req.method}`);
  if (!isServiceRequest(req))
    return jsonError(401, 'unauthorized', 'detect-anomalies needs the service key (pg_cron sends it)');
  const body = await readJsonObject(req, '{} or {"at": "2026-01-01T00:00:00Z"}');
  if (body instanceof Response) return body;
  let at = new Date();
  if (body.at !== undefined) {
    at = new Date(typeof body.at === 'string' ? body.at : NaN);
    if (Number.isNaN(at.getTime()))
      return jsonError(
        400,
        'invalid_at',
        `"at" must be an ISO time string, got ${JSON.stringify(body.at)?.slice(0, 100)}`,
      );
  }
  try {
    return json(await detectAnomalies(admin, at));
  } catch (err) {
    return jsonError(500, 'detection_failed', err instanceof Error ? err.message : String(err));
  }
});
