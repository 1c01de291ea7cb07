/** RESP wire format: command encoding and an incremental reply parser (RESP2, plus the RESP3 types flattened to RESP2 shapes). */

/** An error reply from Redis (`-ERR …`), kept as a value so pipelines can carry it beside results. */
export class ReplyError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * A decoded reply. Bulk strings are Buffers (binary-safe), status replies are JS strings, integers are numbers
 * (bigint beyond 2^53), RESP3 maps and sets arrive as flat arrays because Upstash clients expect RESP2 shapes.
 */
export type Reply = null | number | bigint | string | Buffer | ReplyError | Reply[];

const CRLF = Buffer.from('\r\n');

/** Encodes commands as RESP arrays of bulk strings into one buffer (sized first, so a pipeline costs one allocation). */
export function encodeCommands(commands: readonly (readonly (Buffer | string)[])[]): Buffer {
  let size = 0;
  const bufs = commands.map((args) => {
    size += 3 + String(args.length).length;
    return args.map((arg) => {
      const b = typeof arg === 'string' ? Buffer.from(arg) : arg;
      size += 5 + String(b.length).length + b.length;
      return b;
    });
  });
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const args of bufs) {
    at += out.write(`*${args.length}\r\n`, at, 'latin1');
    for (const b of args) {
      at += out.write(`$${b.length}\r\n`, at, 'latin1');
      at += b.copy(out, at);
      at += out.write('\r\n', at, 'latin1');
    }
  }
  return out;
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (Buffer | string)[]): Buffer {
  return encodeCommands([args]);
}

interface Frame {
  /** Elements still to read; maps count keys and values. */
  remaining: number;
  items: Reply[];
  /** RESP3 attribute frames are read and dropped. */
  drop: boolean;
  /** RESP3 out-of-band push (pub/sub, invalidation), not a command reply. */
  push: boolean;
}

/**
 * Feed it socket chunks; it calls `onReply` once per complete top-level reply. Progress is kept token by token, so a
 * large reply split over many chunks is never re-scanned.
 */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private stack: Frame[] = [];
  private readonly onReply: (reply: Reply) => void;
  private readonly onPush: (reply: Reply) => void;

  constructor(onReply: (reply: Reply) => void, onPush: (reply: Reply) => void = () => {}) {
    this.onReply = onReply;
    this.onPush = onPush;
  }

  /** Parses as much of the buffered data as is complete. Throws on a protocol violation. */
  feed(chunk: Buffer): void {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
    while (this.step()) {
      /* keep going */
    }
  }

  /** Drops partial state, e.g. after the connection was lost. */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.stack = [];
  }

  /** Reads one token; returns false when more data is needed. */
  private step(): boolean {
    const buf = this.buf;
    if (this.pos >= buf.length) return false;
    const eol = buf.indexOf(CRLF, this.pos);
    if (eol < 0) return false;
    const type = buf[this.pos]!;
    const line = buf.toString('utf8', this.pos + 1, eol);
    const next = eol + 2;
    switch (type) {
      case 0x2b: // + status
        this.pos = next;
        this.emit(line);
        return true;
      case 0x2d: // - error
        this.pos = next;
        this.emit(new ReplyError(line));
        return true;
      case 0x3a: // : integer
        this.pos = next;
        this.emit(toInt(line));
        return true;
      case 0x28: // ( big number
        this.pos = next;
        this.emit(BigInt(line));
        return true;
      case 0x2c: // , double: RESP2 servers send these as bulk strings, so do the same
        this.pos = next;
        this.emit(Buffer.from(line));
        return true;
      case 0x23: // # boolean
        this.pos = next;
        this.emit(line === 't' ? 1 : 0);
        return true;
      case 0x5f: // _ null
        this.pos = next;
        this.emit(null);
        return true;
      case 0x24: // $ bulk string
      case 0x21: // ! bulk error
      case 0x3d: {
        // = verbatim string
        const len = Number(line);
        if (len < 0) {
          this.pos = next;
          this.emit(null);
          return true;
        }
        if (buf.length < next + len + 2) return false;
        this.pos = next + len + 2;
        let body = buf.subarray(next, next + len);
        if (type === 0x3d) body = body.subarray(4); // strip the "txt:" format prefix
        // Copy out so the reply does not pin the whole socket chunk in memory.
        this.emit(type === 0x21 ? new ReplyError(body.toString('utf8')) : Buffer.from(body));
        return true;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: // % map
      case 0x7c: {
        // | attribute
        const n = Number(line);
        this.pos = next;
        if (n < 0) {
          this.emit(null);
          return true;
        }
        const count = type === 0x25 || type === 0x7c ? n * 2 : n;
        this.stack.push({ remaining: count, items: [], drop: type === 0x7c, push: type === 0x3e });
        if (count === 0) this.finishFrames();
        return true;
      }
      default:
        throw new Error(`Invalid RESP reply: unexpected type byte 0x${type.toString(16)}`);
    }
  }

  private emit(value: Reply): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.onReply(value);
      return;
    }
    top.items.push(value);
    top.remaining--;
    this.finishFrames();
  }

  /** Closes every aggregate whose elements are all read, innermost first. */
  private finishFrames(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top.remaining > 0) return;
      this.stack.pop();
      if (top.drop) {
        // An attribute precedes the real reply; nothing to deliver yet.
        return;
      }
      if (top.push && this.stack.length === 0) {
        this.onPush(top.items);
        continue;
      }
      const parent = this.stack[this.stack.length - 1];
      if (!parent) {
        this.onReply(top.items);
        continue;
      }
      parent.items.push(top.items);
      parent.remaining--;
    }
  }
}

function toInt(text: string): number | bigint {
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`Invalid RESP integer: ${text}`);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}
