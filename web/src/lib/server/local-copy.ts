/**
 * A local copy in front of the shared hybrid storage. A team's server list is ~150 KB for 500 hosts, and
 * moving it out of Upstash costs more than the rest of a cached answer. Each read still asks Upstash first,
 * but only for the entry's version (its byte length and the tail of its envelope, which ends with the write
 * time); when that matches the local copy, the copy is served. Every write, by this app or by the
 * cache-snapshots function, changes the version, so nothing older than Upstash's entry is ever served.
 */
import { decodeEnvelope, type HybridStorage, type StorageOptions } from '$shared/hybrid-storage.ts';

/** The Redis calls the version check needs (an @upstash/redis client with automaticDeserialization off fits). */
export interface VersionedStore {
  get(key: string): Promise<unknown>;
  pipeline(): VersionPipeline;
}

/** The chained pipeline calls used (@upstash/redis's typed Pipeline is structurally wider). */
export interface VersionPipeline {
  strlen(key: string): VersionPipeline;
  getrange(key: string, start: number, end: number): VersionPipeline;
  exec(): Promise<unknown[]>;
}

/** Bytes of the envelope's end read as its version: `,"at":"2026-01-01T00:00:00.000Z"}` plus margin. */
const tailBytes = 48;
const maxEntries = 256;

interface Copy {
  length: number;
  tail: string;
  data: unknown;
}

/** The version of a raw envelope as Redis reports it: UTF-8 byte length and the last bytes. */
function versionOf(raw: string): { length: number; tail: string } {
  const bytes = Buffer.from(raw, 'utf8');
  return { length: bytes.byteLength, tail: bytes.subarray(Math.max(0, bytes.byteLength - tailBytes)).toString('utf8') };
}

/** getData with a version-checked local copy; reports on each call whether Upstash answered (hit) or Postgres did. */
export function withLocalCopy(redis: VersionedStore, storage: HybridStorage) {
  const copies = new Map<string, Copy>();
  const remember = (key: string, copy: Copy) => {
    copies.delete(key);
    if (copies.size >= maxEntries) copies.delete(copies.keys().next().value as string);
    copies.set(key, copy);
  };
  return async function getData<T>(key: string, fetchFn: () => Promise<T>, options: StorageOptions = {}): Promise<T> {
    if (!options.skipCache) {
      try {
        const copy = copies.get(key);
        if (copy) {
          const [length, tail] = await redis.pipeline().strlen(key).getrange(key, -tailBytes, -1).exec();
          if (length === copy.length && tail === copy.tail) return copy.data as T;
        }
        const raw = await redis.get(key);
        if (typeof raw === 'string') {
          const hit = decodeEnvelope<T>(raw);
          if (hit) {
            remember(key, { ...versionOf(raw), data: hit.data });
            return hit.data;
          }
        }
      } catch {
        // Upstash unreachable: the shared storage below reports it and reads Postgres.
      }
    }
    const data = await storage.getData(key, fetchFn, { ...options, skipCache: true });
    // Learn the version just written so the next read can use the copy. A writer racing in between
    // only makes the copy's version newer than its data by milliseconds: both are fresh reads.
    try {
      const [length, tail] = await redis.pipeline().strlen(key).getrange(key, -tailBytes, -1).exec();
      if (typeof length === 'number' && length > 0 && typeof tail === 'string') remember(key, { length, tail, data });
    } catch {
      copies.delete(key);
    }
    return data;
  };
}
