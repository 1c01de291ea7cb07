/**
 * A disk-backed FIFO of JSON records that survives crashes and restarts: append-only segment
 * files, one fsync per appended batch, a cursor file for what has been delivered, a size cap that
 * drops the oldest segment (and counts what it dropped), and replay from the oldest record.
 *
 * Record framing: `<crc32 hex8> <json>\n`. A torn or corrupt record (kill -9 mid-write, bad disk)
 * fails its checksum; a torn tail is truncated at open, a corrupt record in the middle is skipped
 * and counted as dropped. Delivery is at-least-once: a crash between sending and saving the cursor
 * replays a batch, which the idempotent inserts absorb.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/** Where reading stands: a segment, a byte offset in it, and how many records of it lie before that offset. */
export interface QueuePosition {
  segment: number;
  offset: number;
  index: number;
}

/** Records read from the queue and the position just after them; pass it to `ack` once delivered. */
export interface QueueBatch<T> {
  records: T[];
  next: QueuePosition;
  /** Corrupt records skipped on the way, counted as dropped when the batch is acknowledged. */
  corrupt: number;
}

/** Size limits of a queue. */
export interface QueueOptions {
  /** Total bytes of all segments; beyond it the oldest segment is dropped. Default 64 MiB. */
  maxBytes?: number;
  /** A segment is closed and a new one started past this size. Default maxBytes / 16. */
  segmentBytes?: number;
  /** Inspect only: no truncation, no deletion, no writes (for `vibe-agent status` while the agent runs). */
  readOnly?: boolean;
}

interface Segment {
  id: number;
  bytes: number;
  /** Valid records in the segment. */
  records: number;
}

interface CursorFile {
  segment: number;
  offset: number;
  index: number;
  dropped: number;
}

const SEGMENT_RE = /^(\d{12})\.seg$/;
const segName = (id: number) => `${String(id).padStart(12, '0')}.seg`;

/** Frames one record. */
export function encodeRecord(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value));
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(crc + ' '), json, Buffer.from('\n')]);
}

/** Parses one framed line (without its newline); null when the checksum or JSON is bad. */
export function decodeRecord(line: Buffer): unknown {
  if (line.length < 10 || line[8] !== 0x20) return null;
  const json = line.subarray(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString()) return null;
  try {
    return JSON.parse(json.toString());
  } catch {
    return null;
  }
}

/** Calls `fn` for each complete line of `buf` from `start`; returns the offset after the last complete line. */
// biome-ignore lint/suspicious/noConfusingVoidType: callbacks may return nothing; only an explicit false stops the walk.
function eachLine(buf: Buffer, start: number, fn: (line: Buffer, end: number) => boolean | void): number {
  let pos = start;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const stop = fn(buf.subarray(pos, nl), nl + 1);
    pos = nl + 1;
    if (stop === true) break;
  }
  return pos;
}

/** Whether a write failed because the disk (or the user's quota) is full. */
function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** The queue. Open it with `DiskQueue.open`. */
export class DiskQueue<T = unknown> {
  readonly dir: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #readOnly: boolean;
  #segments: Segment[] = [];
  #cursor: QueuePosition = { segment: 1, offset: 0, index: 0 };
  #dropped = 0;
  #fh: fsp.FileHandle | null = null;
  #lock: Promise<unknown> = Promise.resolve();
  #diskFullAt: string | null = null;

  private constructor(dir: string, options: QueueOptions) {
    this.dir = dir;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#segmentBytes = Math.max(4096, options.segmentBytes ?? Math.floor(this.#maxBytes / 16));
    this.#readOnly = options.readOnly ?? false;
  }

  /** Opens (creating if needed) the queue in `dir`, repairing a torn tail left by a crash. */
  static async open<T = unknown>(dir: string, options: QueueOptions = {}): Promise<DiskQueue<T>> {
    const q = new DiskQueue<T>(dir, options);
    await q.#load();
    return q;
  }

  /** Records not yet acknowledged. */
  get depth(): number {
    let n = 0;
    for (const s of this.#segments) {
      if (s.id > this.#cursor.segment) n += s.records;
      else if (s.id === this.#cursor.segment) n += s.records - this.#cursor.index;
    }
    return n;
  }

  /** Records dropped so far because the size cap was reached or a record was corrupt (kept across restarts). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes of all segment files. */
  get bytes(): number {
    return this.#segments.reduce((a, s) => a + s.bytes, 0);
  }

  #serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  async #load(): Promise<void> {
    if (!this.#readOnly) await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    let names: string[] = [];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if (!this.#readOnly) throw err;
    }
    const ids = names
      .flatMap((n) => (SEGMENT_RE.test(n) ? [Number(SEGMENT_RE.exec(n)![1])] : []))
      .sort((a, b) => a - b);
    const cursor = await this.#readCursor();
    this.#dropped = cursor?.dropped ?? 0;
    this.#cursor = cursor
      ? { segment: cursor.segment, offset: cursor.offset, index: cursor.index }
      : { segment: ids[0] ?? 1, offset: 0, index: 0 };
    for (const id of ids) {
      if (id < this.#cursor.segment) {
        // Fully delivered before a crash that came before its deletion.
        if (!this.#readOnly) await fsp.rm(path.join(this.dir, segName(id)), { force: true });
        continue;
      }
      const file = path.join(this.dir, segName(id));
      const buf = await fsp.readFile(file);
      let records = 0;
      const end = eachLine(buf, 0, (line) => {
        if (decodeRecord(line) !== null) records++;
      });
      // Only the newest segment can have a torn tail; cut it so new records start on a clean line.
      if (end < buf.length && id === ids[ids.length - 1] && !this.#readOnly) await fsp.truncate(file, end);
      this.#segments.push({ id, bytes: this.#readOnly ? buf.length : end, records });
    }
    const first = this.#segments[0];
    if (first && this.#cursor.segment < first.id) this.#cursor = { segment: first.id, offset: 0, index: 0 };
    if (this.#segments.length === 0)
      this.#segments.push({ id: Math.max(1, this.#cursor.segment), bytes: 0, records: 0 });
  }

  async #readCursor(): Promise<CursorFile | null> {
    try {
      const c = JSON.parse(await fsp.readFile(path.join(this.dir, 'cursor.json'), 'utf8')) as CursorFile;
      return Number.isInteger(c.segment) && Number.isInteger(c.offset)
        ? { ...c, index: c.index ?? 0, dropped: c.dropped ?? 0 }
        : null;
    } catch {
      return null;
    }
  }

  async #writeCursor(): Promise<void> {
    const file = path.join(this.dir, 'cursor.json');
    const tmp = `${file}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify({ ...this.#cursor, dropped: this.#dropped }), { mode: 0o600 });
    await fsp.rename(tmp, file);
  }

  async #active(): Promise<fsp.FileHandle> {
    const last = this.#segments[this.#segments.length - 1]!;
    if (last.bytes >= this.#segmentBytes) {
      await this.#fh?.close();
      this.#fh = null;
      this.#segments.push({ id: last.id + 1, bytes: 0, records: 0 });
    }
    if (!this.#fh) {
      const seg = this.#segments[this.#segments.length - 1]!;
      this.#fh = await fsp.open(path.join(this.dir, segName(seg.id)), 'a', 0o600);
      // Make the new file's directory entry durable too.
      const d = await fsp.open(this.dir, 'r');
      await d.sync().finally(() => d.close());
    }
    return this.#fh;
  }

  /** Appends records as one batch and fsyncs before resolving: once this resolves they survive a crash. */
  append(records: T[]): Promise<void> {
    if (this.#readOnly) return Promise.reject(new Error('Cannot append to a queue opened read-only'));
    if (records.length === 0) return Promise.resolve();
    return this.#serial(async () => {
      const buf = Buffer.concat(records.map(encodeRecord));
      for (;;) {
        const fh = await this.#active();
        const seg = this.#segments[this.#segments.length - 1]!;
        let error: unknown = null;
        try {
          // A short write on a regular file means the disk is full, as ENOSPC does.
          const { bytesWritten } = await fh.write(buf);
          if (bytesWritten < buf.length)
            error = Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
          else await fh.datasync();
        } catch (err) {
          error = err;
        }
        if (error === null) {
          seg.bytes += buf.length;
          seg.records += records.length;
          await this.#enforceCap();
          return;
        }
        if (!isDiskFull(error)) throw error;
        // Disk full: cut the part of the batch that got written, then give the oldest data's room to the newest.
        await fh.truncate(seg.bytes).catch(() => {});
        if (!(await this.#makeRoom())) {
          throw new Error(
            `Queue disk is full and the queue holds nothing older to drop: free space in ${this.dir} (${(error as Error).message})`,
          );
        }
        this.#diskFullAt = new Date().toISOString();
      }
    });
  }

  /** When a full disk last made the queue drop its oldest records (null if never): the agent reports it. */
  get diskFullAt(): string | null {
    return this.#diskFullAt;
  }

  // Frees space for a new record on a full disk: drops the oldest segment, or, when only the one being
  // written is left, closes it so that the next pass can drop it. False when there is nothing to free.
  async #makeRoom(): Promise<boolean> {
    if (this.#segments.length >= 2) {
      await this.#dropOldest();
      await this.#writeCursor().catch(() => {});
      return true;
    }
    const only = this.#segments[0]!;
    if (only.bytes === 0) return false;
    await this.#fh?.close();
    this.#fh = null;
    this.#segments.push({ id: only.id + 1, bytes: 0, records: 0 });
    return true;
  }

  // Deletes the oldest segment (never the one being written), counting its unread records as dropped.
  async #dropOldest(): Promise<void> {
    const oldest = this.#segments.shift()!;
    const unread =
      oldest.id > this.#cursor.segment
        ? oldest.records
        : oldest.id === this.#cursor.segment
          ? oldest.records - this.#cursor.index
          : 0;
    this.#dropped += unread;
    if (this.#cursor.segment <= oldest.id) this.#cursor = { segment: this.#segments[0]!.id, offset: 0, index: 0 };
    await fsp.rm(path.join(this.dir, segName(oldest.id)), { force: true });
  }

  // Drops whole oldest segments until the total fits; never the one being written.
  async #enforceCap(): Promise<void> {
    let changed = false;
    while (this.bytes > this.#maxBytes && this.#segments.length > 1) {
      await this.#dropOldest();
      changed = true;
    }
    if (changed) await this.#writeCursor();
  }

  /** Reads up to `max` records from the oldest unacknowledged one, without removing them. */
  read(max: number): Promise<QueueBatch<T>> {
    return this.#serial(async () => {
      const records: T[] = [];
      let corrupt = 0;
      let pos = { ...this.#cursor };
      for (const seg of this.#segments) {
        if (seg.id < pos.segment) continue;
        if (seg.id > pos.segment) pos = { segment: seg.id, offset: 0, index: 0 };
        const length = Math.max(0, seg.bytes - pos.offset);
        // Nothing unread here; a new queue's first segment has no file until the first append.
        if (length === 0) continue;
        const fh = await fsp.open(path.join(this.dir, segName(seg.id)), 'r');
        let buf: Buffer;
        try {
          buf = Buffer.alloc(length);
          await fh.read(buf, 0, length, pos.offset);
        } finally {
          await fh.close();
        }
        const start = pos.offset;
        eachLine(buf, 0, (line, end) => {
          const value = decodeRecord(line);
          pos.offset = start + end;
          if (value === null) corrupt++;
          else {
            records.push(value as T);
            pos.index++;
          }
          return records.length >= max;
        });
        if (records.length >= max) break;
      }
      return { records, next: pos, corrupt };
    });
  }

  /** Marks a batch from `read` as delivered and deletes segments no longer needed. */
  ack(batch: QueueBatch<T>): Promise<void> {
    const { next } = batch;
    return this.#serial(async () => {
      // The cap may have dropped what was being sent meanwhile; never move the cursor backwards.
      if (
        next.segment < this.#cursor.segment ||
        (next.segment === this.#cursor.segment && next.offset < this.#cursor.offset)
      )
        return;
      this.#cursor = { ...next };
      this.#dropped += batch.corrupt;
      const active = this.#segments[this.#segments.length - 1]!;
      while (this.#segments.length > 1 && this.#segments[0]!.id < this.#cursor.segment) {
        await fsp.rm(path.join(this.dir, segName(this.#segments.shift()!.id)), { force: true });
      }
      const cur = this.#segments[0]!;
      if (cur !== active && this.#cursor.offset >= cur.bytes) {
        this.#segments.shift();
        await fsp.rm(path.join(this.dir, segName(cur.id)), { force: true });
        this.#cursor = { segment: this.#segments[0]!.id, offset: 0, index: 0 };
      }
      await this.#writeCursor();
    });
  }

  /** Closes the segment being written. */
  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#fh?.close();
      this.#fh = null;
    });
  }
}
