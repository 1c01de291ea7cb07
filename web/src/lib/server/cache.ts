/** The web app's getData: Upstash Redis from the private env, or no cache when it is not configured. */
import { Redis } from '@upstash/redis';
import { UPSTASH_REDIS_REST_TOKEN, UPSTASH_REDIS_REST_URL } from '$app/env/private';
import { createGetData, type CacheStore } from './hybrid-cache.ts';

// Values are JSON strings we parse ourselves, so turn off the client's guessing deserialiser.
const redis: Redis | null =
  UPSTASH_REDIS_REST_URL && UPSTASH_REDIS_REST_TOKEN
    ? new Redis({ url: UPSTASH_REDIS_REST_URL, token: UPSTASH_REDIS_REST_TOKEN, automaticDeserialization: false, enableTelemetry: false })
    : null;

/** The shared Redis client, or null when UPSTASH_REDIS_REST_URL/TOKEN are unset. */
export const cacheStore: CacheStore | null = redis;

/** Cache-aside read shared by every API route (see hybrid-cache.ts). */
export const getData = createGetData(cacheStore);
