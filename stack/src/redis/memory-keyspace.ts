/** The in-process fallback's keyspace: typed values with lazy expiry, shared by the store and its commands. */
import { ReplyError } from './resp.ts';

/** A stored value; keys and members are kept as latin1 strings so every byte sequence maps to a distinct key. */
export type Entry =
  | { type: 'string'; value: Buffer }
  | { type: 'hash'; value: Map<string, Buffer> }
  | { type: 'list'; value: Buffer[] }
  | { type: 'set'; value: Set<string> }
  | { type: 'zset'; value: Map<string, number> };

export const WRONGTYPE = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');

/** The keyspace: values plus absolute expiry times, expired lazily on access. */
export class Keyspace {
  readonly data = new Map<string, Entry>();
  readonly expires = new Map<string, number>();

  /** The live entry under `key`, dropping it first if it has expired. */
  get(key: string): Entry | undefined {
    const at = this.expires.get(key);
    if (at !== undefined && at <= Date.now()) {
      this.data.delete(key);
      this.expires.delete(key);
    }
    return this.data.get(key);
  }

  /** The entry if it has the given type; throws WRONGTYPE otherwise. */
  typed<T extends Entry['type']>(key: string, type: T): Extract<Entry, { type: T }> | undefined {
    const e = this.get(key);
    if (e && e.type !== type) throw WRONGTYPE;
    return e as Extract<Entry, { type: T }> | undefined;
  }

  set(key: string, entry: Entry, keepTtl = false): void {
    this.data.set(key, entry);
    if (!keepTtl) this.expires.delete(key);
  }

  delete(key: string): boolean {
    const existed = this.get(key) !== undefined;
    this.data.delete(key);
    this.expires.delete(key);
    return existed;
  }

  /** Drops empty aggregates, as Redis does. */
  prune(key: string): void {
    const e = this.data.get(key);
    if (!e || e.type === 'string') return;
    const size = e.type === 'list' ? e.value.length : e.value.size;
    if (size === 0) this.delete(key);
  }

  /** Every live key. */
  keys(): string[] {
    return [...this.data.keys()].filter((k) => this.get(k) !== undefined);
  }
}
