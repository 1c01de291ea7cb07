import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRecord, DiskQueue, encodeRecord } from '../../src/send/queue.ts';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-queue-'));
  dirs.push(d);
  return path.join(d, 'queue');
}
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function drain<T>(q: DiskQueue<T>, batch = 1000): Promise<T[]> {
  const out: T[] = [];
  for (;;) {
    const b = await q.read(batch);
    if (b.records.length === 0 && b.corrupt === 0) return out;
    out.push(...b.records);
    await q.ack(b);
  }
}

describe('record framing', () => {
  it('round-trips and rejects a flipped byte', () => {
    const buf = encodeRecord({ a: 1, s: 'héllo' });
    const line = buf.subarray(0, buf.length - 1);
    expect(decodeRecord(line)).toEqual({ a: 1, s: 'héllo' });
    const bad = Buffer.from(line);
    bad[bad.length - 2]! ^= 1;
    expect(decodeRecord(bad)).toBeNull();
  });
});

describe('DiskQueue', () => {
  it('reads nothing, without error, from a new queue before its first append', async () => {
    const q = await DiskQueue.open<{ n: number }>(await tmp());
    expect(await q.read(10)).toMatchObject({ records: [], corrupt: 0 });
    await q.append([{ n: 1 }]);
    expect((await q.read(10)).records).toEqual([{ n: 1 }]);
    await q.close();
  });

  it('replays oldest first, across segments, and only acknowledged records leave', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<number>(dir, { maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 0; i < 50; i++) await q.append(Array.from({ length: 20 }, (_, j) => i * 20 + j));
    expect(q.depth).toBe(1000);
    const segs = (await fs.readdir(dir)).filter((n) => n.endsWith('.seg'));
    expect(segs.length).toBeGreaterThan(2);
    const first = await q.read(7);
    expect(first.records).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Not acknowledged: read again gives the same.
    expect((await q.read(3)).records).toEqual([0, 1, 2]);
    await q.ack(first);
    expect(q.depth).toBe(993);
    const rest = await drain(q, 64);
    expect(rest).toEqual(Array.from({ length: 993 }, (_, i) => i + 7));
    expect(q.depth).toBe(0);
    // Delivered segments are deleted; only the one being written remains.
    expect((await fs.readdir(dir)).filter((n) => n.endsWith('.seg'))).toHaveLength(1);
    await q.close();
  });

  it('survives a restart: unacknowledged records come back, acknowledged ones do not', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<string>(dir, { segmentBytes: 4096 });
    await q.append(['a', 'b', 'c']);
    await q.append(['d']);
    await q.ack(await q.read(2));
    await q.close();
    const q2 = await DiskQueue.open<string>(dir, { segmentBytes: 4096 });
    expect(q2.depth).toBe(2);
    expect(await drain(q2)).toEqual(['c', 'd']);
    await q2.append(['e']);
    expect(await drain(q2)).toEqual(['e']);
    await q2.close();
  });

  it('truncates a torn tail left by a crash mid-write and keeps appending cleanly', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<object>(dir);
    await q.append([{ n: 1 }, { n: 2 }]);
    await q.close();
    const seg = path.join(dir, (await fs.readdir(dir)).find((n) => n.endsWith('.seg'))!);
    const torn = encodeRecord({ n: 3 });
    await fs.appendFile(seg, torn.subarray(0, torn.length - 5));
    const q2 = await DiskQueue.open<object>(dir);
    expect(q2.depth).toBe(2);
    await q2.append([{ n: 4 }]);
    expect(await drain(q2)).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }]);
    await q2.close();
  });

  it('skips a corrupt record in the middle and counts it as dropped once', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<object>(dir);
    await q.append([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await q.close();
    const seg = path.join(dir, (await fs.readdir(dir)).find((n) => n.endsWith('.seg'))!);
    const text = await fs.readFile(seg, 'utf8');
    await fs.writeFile(seg, text.replace('{"n":2}', '{"n":7}'));
    const q2 = await DiskQueue.open<object>(dir);
    expect(q2.depth).toBe(2);
    await q2.read(10);
    expect(await drain(q2)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(q2.dropped).toBe(1);
    await q2.close();
  });

  it('drops the oldest segments past the size cap, counts them, and keeps the count across restarts', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<{ i: number; pad: string }>(dir, { maxBytes: 40_000, segmentBytes: 8_000 });
    const pad = 'x'.repeat(80);
    for (let i = 0; i < 1000; i++) await q.append([{ i, pad }]);
    expect(q.bytes).toBeLessThanOrEqual(40_000);
    expect(q.dropped).toBeGreaterThan(500);
    expect(q.depth + q.dropped).toBe(1000);
    await q.close();
    const q2 = await DiskQueue.open<{ i: number; pad: string }>(dir, { maxBytes: 40_000, segmentBytes: 8_000 });
    const left = (await drain(q2)).map((r) => r.i);
    // What is left is the newest records, in order, ending with the last one.
    expect(left.at(-1)).toBe(999);
    expect(left).toEqual(Array.from({ length: left.length }, (_, k) => 1000 - left.length + k));
    expect(q2.dropped).toBe(1000 - left.length);
    await q2.close();
  });

  it('does not move the cursor back when the cap dropped a batch being sent', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<number>(dir, { maxBytes: 10_000, segmentBytes: 4096 });
    for (let i = 0; i < 100; i++) await q.append([i]);
    const batch = await q.read(5);
    for (let i = 100; i < 2000; i++) await q.append([i]);
    await q.ack(batch);
    const rest = await drain(q);
    expect(rest[0]).toBeGreaterThan(100);
    expect(rest.at(-1)).toBe(1999);
    await q.close();
  });

  it('opens read-only without changing anything', async () => {
    const dir = await tmp();
    const q = await DiskQueue.open<number>(dir);
    await q.append([1, 2, 3]);
    const ro = await DiskQueue.open<number>(dir, { readOnly: true });
    expect(ro.depth).toBe(3);
    await expect(ro.append([4])).rejects.toThrow(/read-only/);
    await q.close();
    const missing = await DiskQueue.open(path.join(dir, 'nope'), { readOnly: true });
    expect(missing.depth).toBe(0);
  });
});
