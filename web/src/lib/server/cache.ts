/**
 * The web app's getData: the shared hybrid storage (supabase/functions/_shared/hybrid-storage.ts, the
 * same file the edge functions run) over Upstash Redis, or a plain fetch when Upstash is not configured.
 */
import { Redis } from '@upstash/redis';
import { UPSTASH_REDIS_REST_TOKEN, UPSTASH_REDIS_REST_URL } from '$app/env/private';
import { createHybridStorage, type HybridStorage } from '$shared/hybrid-storage.ts';
import { withLocalCopy, type VersionedStore } from './local-copy.ts';

/** The seed's getData(key, fetchFn, { ttl | tier, skipCache, persistToDatabase, teamId }). */
export type GetData = HybridStorage['getData'];

// Values are JSON envelopes hybrid storage decodes itself, so the client's guessing deserialiser stays off.
const redis: Redis | null =
  UPSTASH_REDIS_REST_URL && UPSTASH_REDIS_REST_TOKEN
    ? new Redis({
        url: UPSTASH_REDIS_REST_URL,
        token: UPSTASH_REDIS_REST_TOKEN,
        automaticDeserialization: false,
        enableTelemetry: false,
      })
    : null;

let warned = false;
const storage: HybridStorage | null = redis
  ? createHybridStorage({
      cache: redis,
      // A cache outage must not fail reads: warn once, hybrid storage then reads Postgres.
      onError: (err, stage) => {
        if (warned) return;
        warned = true;
        console.warn(
          `API cache ${stage} failed, reading Postgres directly: ${err instanceof Error ? err.message : String(err)}`,
        );
      },
    })
  : null;

/** Cache-aside read shared by every API route (see local-copy.ts); without Upstash it always fetches. */
export const getData: GetData =
  redis && storage ? withLocalCopy(redis as unknown as VersionedStore, storage) : (_key, fetchFn) => fetchFn();
