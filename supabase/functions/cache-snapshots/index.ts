/**
 * cache-snapshots: the latest snapshot per host and each team's server list, written to Upstash
 * with the tiered TTLs (_shared/ttl-tiers.ts) under the keys in _shared/cache-keys.ts; the web API
 * reads these first (hybrid storage) and falls back to Postgres.
 *   POST {"reason": "ingest" | "schedule"} with the service key (pg_net after ingest, debounced; pg_cron every minute)
 *     → 200 {teams, hostsWritten, hostsSkipped, listsWritten, snapshotsPersisted}
 * Each touched team's server list is also persisted to `metrics` at most once per
 * VIBE_SNAPSHOT_PERSIST_EVERY_S (default 300; 0 turns persisting off).
 * verify_jwt = false (config.toml): the function checks the service key itself.
 */
import { Redis } from '@upstash/redis';
import { corsHeaders, json, jsonError, readJsonObject } from '../_shared/http.ts';
import { metricsTable } from '../_shared/hybrid-storage.ts';
import { isServiceRequest } from '../_shared/service-auth.ts';
import { requireEnv, serviceClient } from '../_shared/supabase-admin.ts';
import { cacheSnapshots } from './run.ts';

const admin = serviceClient();
const redis = new Redis({
  url: requireEnv('UPSTASH_REDIS_REST_URL'),
  token: requireEnv('UPSTASH_REDIS_REST_TOKEN'),
  enableTelemetry: false,
});
/** Hosts whose latest sample changed this recently are written (the gate still limits the rate). */
const FRESH_MS = 5 * 60_000;
const persistEveryS = Number(Deno.env.get('VIBE_SNAPSHOT_PERSIST_EVERY_S') ?? 300);
if (!Number.isInteger(persistEveryS) || persistEveryS < 0)
  throw new Error(`VIBE_SNAPSHOT_PERSIST_EVERY_S must be a whole number of seconds ≥ 0, not "${persistEveryS}"`);
const persist = { store: metricsTable(admin), everyS: persistEveryS };

Deno.serve(async (req) => {
  if (req.method === 'OPTIONS') return new Response('ok', { headers: corsHeaders });
  if (req.method !== 'POST') return jsonError(405, 'method_not_allowed', `Use POST, not ${req.method}`);
  if (!isServiceRequest(req))
    return jsonError(401, 'unauthorized', 'cache-snapshots needs the service key (pg_net and pg_cron send it)');
  // The reason ("ingest", "schedule") is only for the logs; a body that is not an object is a caller's mistake.
  const body = await readJsonObject(req, '{"reason": "schedule"}');
  if (body instanceof Response) return body;
  try {
    const now = new Date();
    return json(await cacheSnapshots(admin, redis, new Date(now.getTime() - FRESH_MS), now, persist));
  } catch (err) {
    return jsonError(500, 'cache_failed', err instanceof Error ? err.message : String(err));
  }
});
