/** The in-process fallback used only when no redis-server is installed and REDIS_URL is unset: a keyspace with expiry. */
import type { RedisBackend } from './backend.ts';
import { COMMANDS } from './memory-commands.ts';
import { ReplyError, type Reply } from './resp.ts';

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

/** The error Redis gives before running a command (unknown name, wrong arity), or null. */
function queueError(command: Buffer[]): ReplyError | null {
  const name = command[0]!.toString().toLowerCase();
  const spec = COMMANDS[name];
  if (!spec) {
    const args = command.slice(1, 4).map((a) => `'${a.toString()}' `).join('');
    return new ReplyError(`ERR unknown command '${command[0]!.toString()}', with args beginning with: ${args}`);
  }
  const argc = command.length;
  if (spec.arity >= 0 ? argc !== spec.arity : argc < -spec.arity) return new ReplyError(`ERR wrong number of arguments for '${name}' command`);
  return null;
}

/** Runs one command against the keyspace; unknown commands and wrong arity give Redis's errors. */
export function runCommand(ks: Keyspace, command: Buffer[]): Reply {
  const bad = queueError(command);
  if (bad) return bad;
  try {
    return COMMANDS[command[0]!.toString().toLowerCase()]!.run(ks, command.slice(1));
  } catch (err) {
    if (err instanceof ReplyError) return err;
    throw err;
  }
}

/** The fallback backend; commands run synchronously, so pipelines and transactions are trivially in order and atomic. */
export function memoryBackend(): RedisBackend {
  const ks = new Keyspace();
  return {
    kind: 'memory',
    async pipeline(commands) {
      return commands.map((c) => runCommand(ks, c));
    },
    async transaction(commands) {
      // Queue-time checks as Redis makes them: an unknown command or wrong arity discards everything.
      for (const c of commands) {
        const bad = queueError(c);
        if (bad) return new ReplyError(`${bad.message} (transaction discarded: no command ran)`);
      }
      return commands.map((c) => runCommand(ks, c));
    },
    async close() {},
  };
}
