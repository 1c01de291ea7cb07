/** The minimal command set of the in-process fallback store: strings, expiry, hashes, lists, sets, sorted sets. */
import type { Entry, Keyspace } from './memory-keyspace.ts';
import { ReplyError, type Reply } from './resp.ts';

interface Spec {
  /** Redis convention: exact argument count including the name, or -N for "at least N". */
  arity: number;
  run(ks: Keyspace, args: Buffer[]): Reply;
}

const OK = 'OK';
const k = (b: Buffer) => b.toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');
const syntax = () => new ReplyError('ERR syntax error');

function int(b: Buffer): number {
  const s = b.toString();
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s)))
    throw new ReplyError('ERR value is not an integer or out of range');
  return Number(s);
}

function float(b: Buffer): number {
  const s = b.toString().toLowerCase();
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new ReplyError('ERR value is not a valid float');
  return n;
}

const fmt = (n: number) => bytes(n === Infinity ? 'inf' : n === -Infinity ? '-inf' : String(n));

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < glob.length) re += '\\' + glob[++i];
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re +=
          '[' +
          glob
            .slice(i + 1, end)
            .replace(/^\^/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function ttl(ks: Keyspace, key: string, unitMs: number): number {
  if (!ks.get(key)) return -2;
  const at = ks.expires.get(key);
  return at === undefined ? -1 : Math.max(0, Math.round((at - Date.now()) / unitMs));
}

function expire(ks: Keyspace, key: string, ms: number): number {
  if (!ks.get(key)) return 0;
  if (ms <= Date.now()) ks.delete(key);
  else ks.expires.set(key, ms);
  return 1;
}

function set(ks: Keyspace, args: Buffer[]): Reply {
  const [key, value, ...opts] = args;
  let at: number | undefined;
  let nx = false;
  let xx = false;
  let keep = false;
  let get = false;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!.toString().toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'keepttl') keep = true;
    else if (o === 'get') get = true;
    else if (['ex', 'px', 'exat', 'pxat'].includes(o) && i + 1 < opts.length) {
      const n = int(opts[++i]!);
      if (n <= 0) throw new ReplyError("ERR invalid expire time in 'set' command");
      at = o === 'ex' ? Date.now() + n * 1000 : o === 'px' ? Date.now() + n : o === 'exat' ? n * 1000 : n;
    } else throw syntax();
  }
  if (nx && xx) throw syntax();
  const old = ks.get(k(key!));
  if (get && old && old.type !== 'string')
    throw new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
  const prev = get ? (old?.type === 'string' ? old.value : null) : OK;
  if ((nx && old) || (xx && !old)) return get ? prev : null;
  ks.set(k(key!), { type: 'string', value: Buffer.from(value!) }, keep);
  if (at !== undefined) ks.expires.set(k(key!), at);
  return prev;
}

function incrBy(ks: Keyspace, key: Buffer, by: number): Reply {
  const e = ks.typed(k(key), 'string');
  const n = (e ? int(e.value) : 0) + by;
  if (!Number.isSafeInteger(n)) throw new ReplyError('ERR increment or decrement would overflow');
  ks.set(k(key), { type: 'string', value: bytes(String(n)) }, true);
  return n;
}

function aggregate<T extends 'hash' | 'list' | 'set' | 'zset'>(
  ks: Keyspace,
  key: Buffer,
  type: T,
  make: () => Extract<Entry, { type: T }>,
) {
  const e = ks.typed(k(key), type);
  if (e) return e;
  const fresh = make();
  ks.set(k(key), fresh);
  return fresh;
}

function sortedMembers(z: Map<string, number>): [string, number][] {
  return [...z].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function scoreBound(b: Buffer): { v: number; open: boolean } {
  const s = b.toString();
  return s.startsWith('(') ? { v: float(Buffer.from(s.slice(1))), open: true } : { v: float(b), open: false };
}

function zrange(ks: Keyspace, args: Buffer[]): Reply {
  const [key, startB, stopB, ...opts] = args;
  let byScore = false;
  let rev = false;
  let withScores = false;
  let limit: [number, number] | null = null;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!.toString().toLowerCase();
    if (o === 'byscore') byScore = true;
    else if (o === 'rev') rev = true;
    else if (o === 'withscores') withScores = true;
    else if (o === 'limit' && i + 2 < opts.length) limit = [int(opts[++i]!), int(opts[++i]!)];
    else throw syntax();
  }
  const z = ks.typed(k(key!), 'zset');
  let list = z ? sortedMembers(z.value) : [];
  if (rev) list.reverse();
  if (byScore) {
    const [lo, hi] = rev ? [scoreBound(stopB!), scoreBound(startB!)] : [scoreBound(startB!), scoreBound(stopB!)];
    list = list.filter(([, s]) => (lo.open ? s > lo.v : s >= lo.v) && (hi.open ? s < hi.v : s <= hi.v));
    if (limit) list = list.slice(limit[0], limit[1] < 0 ? undefined : limit[0] + limit[1]);
  } else {
    const n = list.length;
    let start = int(startB!);
    let stop = int(stopB!);
    if (start < 0) start = Math.max(0, n + start);
    if (stop < 0) stop = n + stop;
    list = list.slice(start, Math.min(stop, n - 1) + 1);
  }
  return list.flatMap(([m, s]) => (withScores ? [bytes(m), fmt(s)] : [bytes(m)]));
}

function zadd(ks: Keyspace, args: Buffer[]): Reply {
  const [key, ...rest] = args;
  const flags = new Set<string>();
  while (rest.length > 0 && ['nx', 'xx', 'gt', 'lt', 'ch', 'incr'].includes(rest[0]!.toString().toLowerCase())) {
    flags.add(rest.shift()!.toString().toLowerCase());
  }
  if (rest.length === 0 || rest.length % 2 !== 0 || (flags.has('incr') && rest.length !== 2)) throw syntax();
  const z = aggregate(ks, key!, 'zset', () => ({ type: 'zset', value: new Map() }));
  let changed = 0;
  let last: number | null = null;
  for (let i = 0; i < rest.length; i += 2) {
    const member = k(rest[i + 1]!);
    const old = z.value.get(member);
    let score = float(rest[i]!);
    if (flags.has('incr')) score += old ?? 0;
    if ((flags.has('nx') && old !== undefined) || (flags.has('xx') && old === undefined)) continue;
    if (old !== undefined && ((flags.has('gt') && score <= old) || (flags.has('lt') && score >= old))) continue;
    if (old === undefined || (flags.has('ch') && old !== score)) changed++;
    z.value.set(member, score);
    last = score;
  }
  ks.prune(k(key!));
  return flags.has('incr') ? (last === null ? null : fmt(last)) : changed;
}

function pop(ks: Keyspace, args: Buffer[], left: boolean): Reply {
  const l = ks.typed(k(args[0]!), 'list');
  if (!l) return null;
  const count = args[1] ? int(args[1]) : null;
  const out = left ? l.value.splice(0, count ?? 1) : l.value.splice(-(count ?? 1)).reverse();
  ks.prune(k(args[0]!));
  return count === null ? (out[0] ?? null) : out;
}

function push(ks: Keyspace, args: Buffer[], left: boolean): Reply {
  const l = aggregate(ks, args[0]!, 'list', () => ({ type: 'list', value: [] }));
  for (const v of args.slice(1)) left ? l.value.unshift(Buffer.from(v)) : l.value.push(Buffer.from(v));
  return l.value.length;
}

const hash = (ks: Keyspace, key: Buffer) => ks.typed(k(key), 'hash')?.value ?? new Map<string, Buffer>();
const set_ = (ks: Keyspace, key: Buffer) => ks.typed(k(key), 'set')?.value ?? new Set<string>();

/** Command name (lower case) → arity and implementation. */
export const COMMANDS: Record<string, Spec> = {
  ping: { arity: -1, run: (_ks, a) => (a[0] ? Buffer.from(a[0]) : 'PONG') },
  echo: { arity: 2, run: (_ks, a) => Buffer.from(a[0]!) },
  info: { arity: -1, run: () => bytes('# Server\r\nredis_version:in-process-fallback\r\n') },
  dbsize: { arity: 1, run: (ks) => ks.keys().length },
  flushdb: { arity: -1, run: (ks) => (ks.data.clear(), ks.expires.clear(), OK) },
  flushall: { arity: -1, run: (ks) => (ks.data.clear(), ks.expires.clear(), OK) },
  keys: {
    arity: 2,
    run: (ks, a) =>
      ks
        .keys()
        .filter((x) => globToRegExp(k(a[0]!)).test(x))
        .map(bytes),
  },
  scan: {
    arity: -2,
    run: (ks, a) => {
      const i = a.findIndex((x) => x.toString().toLowerCase() === 'match');
      const re = i > 0 && a[i + 1] ? globToRegExp(k(a[i + 1]!)) : null;
      return [
        bytes('0'),
        ks
          .keys()
          .filter((x) => !re || re.test(x))
          .map(bytes),
      ];
    },
  },
  type: { arity: 2, run: (ks, a) => ks.get(k(a[0]!))?.type ?? 'none' },
  exists: { arity: -2, run: (ks, a) => a.filter((x) => ks.get(k(x))).length },
  del: { arity: -2, run: (ks, a) => a.filter((x) => ks.delete(k(x))).length },
  unlink: { arity: -2, run: (ks, a) => a.filter((x) => ks.delete(k(x))).length },
  expire: { arity: -3, run: (ks, a) => expire(ks, k(a[0]!), Date.now() + int(a[1]!) * 1000) },
  pexpire: { arity: -3, run: (ks, a) => expire(ks, k(a[0]!), Date.now() + int(a[1]!)) },
  expireat: { arity: -3, run: (ks, a) => expire(ks, k(a[0]!), int(a[1]!) * 1000) },
  ttl: { arity: 2, run: (ks, a) => ttl(ks, k(a[0]!), 1000) },
  pttl: { arity: 2, run: (ks, a) => ttl(ks, k(a[0]!), 1) },
  persist: { arity: 2, run: (ks, a) => (ks.get(k(a[0]!)) && ks.expires.delete(k(a[0]!)) ? 1 : 0) },
  get: { arity: 2, run: (ks, a) => ks.typed(k(a[0]!), 'string')?.value ?? null },
  getdel: {
    arity: 2,
    run: (ks, a) => {
      const v = ks.typed(k(a[0]!), 'string')?.value ?? null;
      ks.delete(k(a[0]!));
      return v;
    },
  },
  set: { arity: -3, run: set },
  setex: { arity: 4, run: (ks, a) => set(ks, [a[0]!, a[2]!, bytes('ex'), a[1]!]) },
  psetex: { arity: 4, run: (ks, a) => set(ks, [a[0]!, a[2]!, bytes('px'), a[1]!]) },
  setnx: { arity: 3, run: (ks, a) => (set(ks, [a[0]!, a[1]!, bytes('nx')]) === OK ? 1 : 0) },
  mget: {
    arity: -2,
    run: (ks, a) =>
      a.map((x) => {
        const e = ks.get(k(x));
        return e?.type === 'string' ? e.value : null;
      }),
  },
  mset: {
    arity: -3,
    run: (ks, a) => {
      if (a.length % 2 !== 0) return new ReplyError("ERR wrong number of arguments for 'mset' command");
      for (let i = 0; i < a.length; i += 2) ks.set(k(a[i]!), { type: 'string', value: Buffer.from(a[i + 1]!) });
      return OK;
    },
  },
  incr: { arity: 2, run: (ks, a) => incrBy(ks, a[0]!, 1) },
  decr: { arity: 2, run: (ks, a) => incrBy(ks, a[0]!, -1) },
  incrby: { arity: 3, run: (ks, a) => incrBy(ks, a[0]!, int(a[1]!)) },
  decrby: { arity: 3, run: (ks, a) => incrBy(ks, a[0]!, -int(a[1]!)) },
  hset: {
    arity: -4,
    run: (ks, a) => {
      if (a.length % 2 !== 1) return new ReplyError("ERR wrong number of arguments for 'hset' command");
      const h = aggregate(ks, a[0]!, 'hash', () => ({ type: 'hash', value: new Map() }));
      let added = 0;
      for (let i = 1; i < a.length; i += 2) {
        if (!h.value.has(k(a[i]!))) added++;
        h.value.set(k(a[i]!), Buffer.from(a[i + 1]!));
      }
      return added;
    },
  },
  hget: { arity: 3, run: (ks, a) => hash(ks, a[0]!).get(k(a[1]!)) ?? null },
  hmget: { arity: -3, run: (ks, a) => a.slice(1).map((f) => hash(ks, a[0]!).get(k(f)) ?? null) },
  hgetall: { arity: 2, run: (ks, a) => [...hash(ks, a[0]!)].flatMap(([f, v]) => [bytes(f), v]) },
  hkeys: { arity: 2, run: (ks, a) => [...hash(ks, a[0]!).keys()].map(bytes) },
  hlen: { arity: 2, run: (ks, a) => hash(ks, a[0]!).size },
  hexists: { arity: 3, run: (ks, a) => (hash(ks, a[0]!).has(k(a[1]!)) ? 1 : 0) },
  hdel: {
    arity: -3,
    run: (ks, a) => {
      const h = hash(ks, a[0]!);
      const n = a.slice(1).filter((f) => h.delete(k(f))).length;
      ks.prune(k(a[0]!));
      return n;
    },
  },
  hincrby: {
    arity: 4,
    run: (ks, a) => {
      const h = aggregate(ks, a[0]!, 'hash', () => ({ type: 'hash', value: new Map() }));
      const old = h.value.get(k(a[1]!));
      const n = (old ? int(old) : 0) + int(a[2]!);
      h.value.set(k(a[1]!), bytes(String(n)));
      return n;
    },
  },
  lpush: { arity: -3, run: (ks, a) => push(ks, a, true) },
  rpush: { arity: -3, run: (ks, a) => push(ks, a, false) },
  lpop: { arity: -2, run: (ks, a) => pop(ks, a, true) },
  rpop: { arity: -2, run: (ks, a) => pop(ks, a, false) },
  llen: { arity: 2, run: (ks, a) => ks.typed(k(a[0]!), 'list')?.value.length ?? 0 },
  lrange: {
    arity: 4,
    run: (ks, a) => {
      const l = ks.typed(k(a[0]!), 'list')?.value ?? [];
      let start = int(a[1]!);
      let stop = int(a[2]!);
      if (start < 0) start = Math.max(0, l.length + start);
      if (stop < 0) stop = l.length + stop;
      return l.slice(start, stop + 1);
    },
  },
  sadd: {
    arity: -3,
    run: (ks, a) => {
      const s = aggregate(ks, a[0]!, 'set', () => ({ type: 'set', value: new Set() }));
      const before = s.value.size;
      for (const m of a.slice(1)) s.value.add(k(m));
      return s.value.size - before;
    },
  },
  srem: {
    arity: -3,
    run: (ks, a) => {
      const n = a.slice(1).filter((m) => set_(ks, a[0]!).delete(k(m))).length;
      ks.prune(k(a[0]!));
      return n;
    },
  },
  smembers: { arity: 2, run: (ks, a) => [...set_(ks, a[0]!)].map(bytes) },
  sismember: { arity: 3, run: (ks, a) => (set_(ks, a[0]!).has(k(a[1]!)) ? 1 : 0) },
  scard: { arity: 2, run: (ks, a) => set_(ks, a[0]!).size },
  zadd: { arity: -4, run: zadd },
  zrange: { arity: -4, run: zrange },
  zscore: {
    arity: 3,
    run: (ks, a) => {
      const s = ks.typed(k(a[0]!), 'zset')?.value.get(k(a[1]!));
      return s === undefined ? null : fmt(s);
    },
  },
  zcard: { arity: 2, run: (ks, a) => ks.typed(k(a[0]!), 'zset')?.value.size ?? 0 },
  zincrby: { arity: 4, run: (ks, a) => zadd(ks, [a[0]!, bytes('incr'), a[1]!, a[2]!]) },
  zrem: {
    arity: -3,
    run: (ks, a) => {
      const z = ks.typed(k(a[0]!), 'zset')?.value;
      const n = z ? a.slice(1).filter((m) => z.delete(k(m))).length : 0;
      ks.prune(k(a[0]!));
      return n;
    },
  },
};
