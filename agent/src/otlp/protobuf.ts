/**
 * A small proto3 wire-format reader and writer: just what the OTLP messages need (varints, zigzag,
 * fixed32/64, doubles, length-delimited fields, packed and unpacked repeated scalars). Every read is
 * bounds-checked, so a truncated or hostile payload ends in a `ProtobufError`, never an out-of-range read.
 */

/** A payload that is not valid protobuf wire format. */
export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

/** Wire types of proto3 (groups, 3 and 4, are deprecated and refused). */
export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

const TWO_32 = 4294967296;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads fields from `buf[pos, end)`; a sub-message is read by a new reader over its byte range. */
export class ProtoReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length, view?: DataView) {
    this.buf = buf;
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
  }

  /** True when every field has been read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's tag: `field << 3 | wireType`. */
  tag(): number {
    const t = this.varint();
    if (t < 8 || t > 0xffffffff) throw new ProtobufError(`Invalid field tag ${t} at byte ${this.pos}`);
    return t;
  }

  /** An unsigned varint (up to 64 bits) as a number; values past 2^53 lose precision, which no OTLP count reaches. */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('Truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtobufError(`Varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** An int64 varint, exact for negatives (sent as 10-byte two's complement) and to 2^53 for positives. */
  int64(): number {
    // Read as two 32-bit halves: the lower 32 bits and the upper 32 bits, which carry the sign.
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('Truncated varint');
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (7 * i - 32);
      if (b < 0x80) return (hi | 0) * TWO_32 + (lo >>> 0);
    }
    throw new ProtobufError(`Varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A zigzag-encoded sint32. */
  sint32(): number {
    const v = this.varint();
    const n = v % TWO_32;
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  #need(n: number): void {
    if (this.pos + n > this.end)
      throw new ProtobufError(`Truncated field: ${n} bytes needed at byte ${this.pos}, ${this.end - this.pos} left`);
  }

  /** A fixed64 as a number (timestamps in ns lose sub-microsecond precision; durations use `fixed64Parts`). */
  fixed64(): number {
    this.#need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** A fixed64 as [high, low] 32-bit halves, for exact differences of nanosecond timestamps. */
  fixed64Parts(): [number, number] {
    this.#need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return [hi, lo];
  }

  /** An sfixed64. */
  sfixed64(): number {
    this.#need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** A double. */
  double(): number {
    this.#need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A fixed32. */
  fixed32(): number {
    this.#need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** The byte range of a length-delimited field, skipped over. */
  span(): [number, number] {
    const len = this.varint();
    this.#need(len);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  /** Skips over a length-delimited field and returns where it starts (it ends at `pos`); no array per field. */
  #skipBytes(): number {
    const len = this.varint();
    this.#need(len);
    const start = this.pos;
    this.pos += len;
    return start;
  }

  /** A reader over a length-delimited field (an embedded message). */
  message(): ProtoReader {
    const s = this.#skipBytes();
    return new ProtoReader(this.buf, s, this.pos, this.view);
  }

  /** A UTF-8 string (invalid sequences become U+FFFD rather than failing the whole payload). */
  string(): string {
    const s = this.#skipBytes();
    const e = this.pos;
    // Attribute keys and values are short and mostly ASCII: building them here avoids a native call per string, the decoder's main cost.
    if (e - s <= 64) {
      let out = '';
      for (let i = s; i < e; i++) {
        const c = this.buf[i]!;
        if (c >= 0x80) return utf8.decode(this.buf.subarray(s, e));
        out += String.fromCharCode(c);
      }
      return out;
    }
    return utf8.decode(this.buf.subarray(s, e));
  }

  /** Skips a field of `wireType`. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE.varint:
        this.varint();
        return;
      case WIRE.fixed64:
        this.#need(8);
        this.pos += 8;
        return;
      case WIRE.bytes:
        this.span();
        return;
      case WIRE.fixed32:
        this.#need(4);
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`Unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  /** Reads a repeated fixed64 field into `out`, packed (wire type 2) or one value per tag (wire type 1). */
  repeatedFixed64(wireType: number, out: number[]): void {
    if (wireType === WIRE.fixed64) {
      out.push(this.fixed64());
      return;
    }
    expectWire(wireType, WIRE.bytes, 'repeated fixed64');
    const [s, e] = this.span();
    if ((e - s) % 8 !== 0) throw new ProtobufError(`Packed fixed64 field of ${e - s} bytes is not a multiple of 8`);
    for (let p = s; p < e; p += 8) out.push(this.view.getUint32(p + 4, true) * TWO_32 + this.view.getUint32(p, true));
  }

  /** Reads a repeated double field into `out`, packed or not. */
  repeatedDouble(wireType: number, out: number[]): void {
    if (wireType === WIRE.fixed64) {
      out.push(this.double());
      return;
    }
    expectWire(wireType, WIRE.bytes, 'repeated double');
    const [s, e] = this.span();
    if ((e - s) % 8 !== 0) throw new ProtobufError(`Packed double field of ${e - s} bytes is not a multiple of 8`);
    for (let p = s; p < e; p += 8) out.push(this.view.getFloat64(p, true));
  }

  /** Reads a repeated uint64 varint field into `out`, packed or not. */
  repeatedVarint(wireType: number, out: number[]): void {
    if (wireType === WIRE.varint) {
      out.push(this.varint());
      return;
    }
    expectWire(wireType, WIRE.bytes, 'repeated varint');
    const sub = this.message();
    while (!sub.done()) out.push(sub.varint());
  }
}

/** Fails unless a field arrived with the wire type its schema gives it. */
export function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new ProtobufError(`Field ${what} has wire type ${actual}, expected ${expected}`);
}

/** Appends protobuf fields to a growing byte list (responses are a few bytes, so simplicity wins). */
export class ProtoWriter {
  readonly #bytes: number[] = [];

  #varint(v: number): void {
    let n = v;
    while (n >= 0x80) {
      this.#bytes.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.#bytes.push(n);
  }

  /** A varint field (skipped when zero, as proto3 does). */
  uint(field: number, v: number): this {
    if (v === 0) return this;
    this.#varint((field << 3) | WIRE.varint);
    this.#varint(v);
    return this;
  }

  /** A string field (skipped when empty). */
  string(field: number, s: string): this {
    if (!s) return this;
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A length-delimited field. */
  bytes(field: number, b: Uint8Array): this {
    this.#varint((field << 3) | WIRE.bytes);
    this.#varint(b.length);
    for (const x of b) this.#bytes.push(x);
    return this;
  }

  /** The encoded message. */
  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}
