/**
 * The seed's hybrid storage: `getData(key, fetchFn, { ttl, skipCache, persistToDatabase })`.
 * Upstash Redis first; on a miss (or skipCache) fetch fresh data, cache it with the TTL, and,
 * when asked, persist a snapshot row (key, data, timestamp) to the `metrics` table.
 *
 * No runtime imports except ./ttl-tiers.ts: the clients are passed in, so the edge functions
 * (Deno) and the SvelteKit web app (Node) import this very file by relative path.
 *
 * Stable API:
 *   const storage = createHybridStorage({
 *     cache: redis,                          // @upstash/redis `Redis` (or anything with get/set below)
 *     snapshots: metricsTable(supabase),     // optional: where persistToDatabase writes
 *     onError: (err, stage) => console.warn(stage, err),   // optional: cache/persist failures
 *   });
 *   const servers = await storage.getData(`vibe:v1:team:${teamId}:servers`, () => loadServers(teamId),
 *     { tier: 'high', persistToDatabase: true, teamId });
 *
 * Options: ttl (seconds, wins over tier), tier ('high' | 'low', see ttl-tiers.ts; default: the
 * seed's 300 s), skipCache (always fetch, then refresh the cache), persistToDatabase (needs teamId).
 * A cache that is down never fails a read: getData fetches and reports the error to onError.
 * Values are stored as a JSON envelope {"v": data, "at": ISO time}; `peek(key)` returns
 * {data, cachedAt} or null without fetching.
 */
import { ttlSeconds, type TtlTierName } from './ttl-tiers.ts';

/** The two Redis commands hybrid storage needs; @upstash/redis's `Redis` satisfies it. */
export interface CacheClient {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options: { ex: number }): Promise<unknown>;
}

/** A persisted snapshot row of the `metrics` table. */
export interface SnapshotRow {
  team_id: string;
  key: string;
  data: unknown;
  timestamp: string;
}

/** Where persistToDatabase writes; `metricsTable(supabase)` adapts a supabase-js client. */
export interface SnapshotStore {
  insert(row: SnapshotRow): Promise<void>;
}

/** The seed's options plus `tier` and the `teamId` a persisted row belongs to. */
export interface StorageOptions {
  ttl?: number;
  tier?: TtlTierName;
  skipCache?: boolean;
  persistToDatabase?: boolean;
  teamId?: string;
}

/** What hybrid storage is built from. */
export interface HybridStorageDeps {
  cache: CacheClient;
  snapshots?: SnapshotStore;
  onError?: (error: unknown, stage: 'cache-read' | 'cache-write' | 'persist') => void;
  now?: () => Date;
}

/** A cached value and when it was cached. */
export interface Cached<T> {
  data: T;
  cachedAt: string;
}

/** The hybrid storage API. */
export interface HybridStorage {
  getData<T>(key: string, fetchFn: () => Promise<T>, options?: StorageOptions): Promise<T>;
  peek<T>(key: string): Promise<Cached<T> | null>;
}

/** The seed's default TTL when neither ttl nor tier is given. */
export const DEFAULT_TTL_SECONDS = 300;

/** The minimal supabase-js surface `metricsTable` needs (structural, so no import). */
export interface MetricsInsertClient {
  from(table: 'metrics'): { insert(row: SnapshotRow): PromiseLike<{ error: { message: string } | null }> };
}

/** Adapts a supabase-js client (service role, or a member's session) to a SnapshotStore on `metrics`. */
export function metricsTable(client: MetricsInsertClient): SnapshotStore {
  return {
    async insert(row) {
      const { error } = await client.from('metrics').insert(row);
      if (error) throw new Error(`Cannot persist snapshot ${row.key}: ${error.message}`);
    },
  };
}

/** Decodes a cached envelope: @upstash/redis hands back the parsed object, raw clients the JSON text. */
export function decodeEnvelope<T>(raw: unknown): Cached<T> | null {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== 'object' || !('v' in value) || !('at' in value)) return null;
  const env = value as { v: T; at: unknown };
  return { data: env.v, cachedAt: String(env.at) };
}

/** Encodes a value for the cache. */
export function encodeEnvelope(data: unknown, at: Date): string {
  return JSON.stringify({ v: data, at: at.toISOString() });
}

/** Resolves the TTL for a call: explicit ttl, else the tier's default, else the seed's 300 s. */
export function resolveTtl(options: StorageOptions): number {
  if (options.ttl !== undefined) {
    if (!Number.isFinite(options.ttl) || options.ttl < 1)
      throw new RangeError(`Invalid ttl ${options.ttl}: use whole seconds ≥ 1`);
    return Math.round(options.ttl);
  }
  return options.tier ? ttlSeconds(options.tier) : DEFAULT_TTL_SECONDS;
}

/** Builds getData/peek over the given cache and snapshot store. */
export function createHybridStorage(deps: HybridStorageDeps): HybridStorage {
  const report = deps.onError ?? (() => {});
  const now = deps.now ?? (() => new Date());

  async function peek<T>(key: string): Promise<Cached<T> | null> {
    return decodeEnvelope<T>(await deps.cache.get(key));
  }

  async function getData<T>(key: string, fetchFn: () => Promise<T>, options: StorageOptions = {}): Promise<T> {
    const ttl = resolveTtl(options);
    if (options.persistToDatabase && (!options.teamId || !deps.snapshots)) {
      throw new Error(
        `Cannot persist ${key}: persistToDatabase needs options.teamId and a snapshots store in createHybridStorage`,
      );
    }
    if (!options.skipCache) {
      try {
        const hit = await peek<T>(key);
        if (hit) return hit.data;
      } catch (err) {
        report(err, 'cache-read');
      }
    }
    const data = await fetchFn();
    const at = now();
    try {
      await deps.cache.set(key, encodeEnvelope(data, at), { ex: ttl });
    } catch (err) {
      report(err, 'cache-write');
    }
    if (options.persistToDatabase) {
      try {
        await deps.snapshots!.insert({ team_id: options.teamId!, key, data, timestamp: at.toISOString() });
      } catch (err) {
        report(err, 'persist');
      }
    }
    return data;
  }

  return { getData, peek };
}
