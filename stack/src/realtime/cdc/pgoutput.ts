/** Decoder for the messages of Postgres' built-in `pgoutput` logical decoding plugin (protocol version 1, text tuples). */

export interface RelationColumn {
  name: string;
  typeOid: number;
  /** Part of the replica identity. */
  key: boolean;
}

export interface Relation {
  relid: number;
  schema: string;
  table: string;
  /** d = default (primary key), f = full, i = index, n = nothing. */
  replicaIdentity: string;
  columns: RelationColumn[];
}

/** One column of a tuple: text value, SQL NULL, or an unchanged TOASTed value that was not sent. */
export type TupleValue = string | null | { unchanged: true };

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: Date; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: Date }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'insert'; relid: number; newTuple: TupleValue[] }
  | { tag: 'update'; relid: number; oldTuple: TupleValue[] | null; oldKind: 'K' | 'O' | null; newTuple: TupleValue[] }
  | { tag: 'delete'; relid: number; oldTuple: TupleValue[]; oldKind: 'K' | 'O' }
  | { tag: 'other'; code: string };

/** Microseconds between the Unix epoch and Postgres' epoch (2000-01-01). */
const PG_EPOCH_MS = 946684800000;

/** A Postgres timestamp (µs since 2000-01-01) as a Date. */
export function pgTimestampToDate(us: bigint): Date {
  return new Date(PG_EPOCH_MS + Number(us / 1000n));
}

class Reader {
  private offset = 0;
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  u8(): number {
    return this.buf.readUInt8(this.offset++);
  }
  i16(): number {
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.offset);
    const s = this.buf.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }
  char(): string {
    return String.fromCharCode(this.u8());
  }
}

function tuple(r: Reader): TupleValue[] {
  const n = r.i16();
  const out: TupleValue[] = [];
  for (let i = 0; i < n; i++) {
    const kind = r.char();
    if (kind === 'n') out.push(null);
    else if (kind === 'u') out.push({ unchanged: true });
    else if (kind === 't' || kind === 'b') out.push(r.bytes(r.i32()).toString('utf8'));
    else throw new Error(`pgoutput: unknown tuple data kind ${kind}`);
  }
  return out;
}

/** Decodes one pgoutput message (the payload of an XLogData frame). */
export function decodePgOutput(buf: Buffer): PgOutputMessage {
  const r = new Reader(buf);
  const code = r.char();
  switch (code) {
    case 'B': {
      const finalLsn = r.u64();
      const commitTime = pgTimestampToDate(r.u64());
      return { tag: 'begin', finalLsn, commitTime, xid: r.u32() };
    }
    case 'C': {
      r.u8();
      const commitLsn = r.u64();
      const endLsn = r.u64();
      return { tag: 'commit', commitLsn, endLsn, commitTime: pgTimestampToDate(r.u64()) };
    }
    case 'R': {
      const relid = r.u32();
      const schema = r.cstring();
      const table = r.cstring();
      const replicaIdentity = r.char();
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        const name = r.cstring();
        const typeOid = r.u32();
        r.i32();
        columns.push({ name, typeOid, key: (flags & 1) === 1 });
      }
      return { tag: 'relation', relation: { relid, schema, table, replicaIdentity, columns } };
    }
    case 'I': {
      const relid = r.u32();
      r.char(); // 'N'
      return { tag: 'insert', relid, newTuple: tuple(r) };
    }
    case 'U': {
      const relid = r.u32();
      let kind = r.char();
      let oldTuple: TupleValue[] | null = null;
      let oldKind: 'K' | 'O' | null = null;
      if (kind === 'K' || kind === 'O') {
        oldKind = kind;
        oldTuple = tuple(r);
        kind = r.char();
      }
      return { tag: 'update', relid, oldTuple, oldKind, newTuple: tuple(r) };
    }
    case 'D': {
      const relid = r.u32();
      const oldKind = r.char() as 'K' | 'O';
      return { tag: 'delete', relid, oldKind, oldTuple: tuple(r) };
    }
    default:
      return { tag: 'other', code };
  }
}
