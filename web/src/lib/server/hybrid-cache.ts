/**
 * The seed's cache-aside read, getData(key, fetchFn, { ttl, skipCache, persistToDatabase }): Redis
 * (Upstash) first, else fetchFn, whose value is cached for ttl seconds and optionally persisted.
 * Free of SvelteKit imports so it runs (and is tested) anywhere.
 */

/** The Redis calls getData needs (an @upstash/redis client fits). */
export interface CacheStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, opts: { ex: number }): Promise<unknown>;
}

/** The seed's options: ttl in seconds, skipCache to force a fresh read, persistToDatabase to keep a snapshot. */
export interface GetDataOptions {
  ttl: number;
  skipCache?: boolean;
  persistToDatabase?: boolean;
}

/** Stores a fresh value as a (key, data, timestamp) snapshot, e.g. in public.metrics. */
export type Persist = (key: string, value: unknown) => Promise<void>;

/** The seed's getData signature. */
export type GetData = <T>(key: string, fetchFn: () => Promise<T>, options: GetDataOptions) => Promise<T>;

/** Builds getData over a store (null: no cache, every read fetches) and an optional persister. */
export function createGetData(store: CacheStore | null, persist?: Persist, log: (message: string) => void = console.warn): GetData {
  let warned = false;
  // A cache outage must not fail reads: warn once and fall through to the source of truth.
  const cacheFailed = (what: string, err: unknown) => {
    if (warned) return;
    warned = true;
    log(`API cache ${what} failed, reading Postgres directly until it recovers: ${err instanceof Error ? err.message : String(err)}`);
  };
  return async <T>(key: string, fetchFn: () => Promise<T>, options: GetDataOptions): Promise<T> => {
    if (!Number.isInteger(options.ttl) || options.ttl <= 0) {
      throw new RangeError(`getData: ttl must be a positive whole number of seconds, got ${options.ttl}`);
    }
    if (store && !options.skipCache) {
      try {
        const hit = await store.get(key);
        if (typeof hit === 'string') {
          warned = false;
          return JSON.parse(hit) as T;
        }
      } catch (err) {
        cacheFailed('read', err);
      }
    }
    const value = await fetchFn();
    if (store) {
      try {
        await store.set(key, JSON.stringify(value), { ex: options.ttl });
      } catch (err) {
        cacheFailed('write', err);
      }
    }
    if (options.persistToDatabase && persist) await persist(key, value);
    return value;
  };
}
