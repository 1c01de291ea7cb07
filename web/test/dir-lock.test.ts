/** The build lock (web/scripts/dir-lock.ts): holders never overlap, and a lock left by a dead process is taken over. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withDirLock } from '../scripts/dir-lock.ts';

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-dir-lock-'));
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('withDirLock', () => {
  it('runs one holder at a time and removes the lock afterwards', async () => {
    const lock = path.join(tmp, 'serial.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withDirLock(lock, async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 300));
        events.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([hold('a'), hold('b'), hold('c')])).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner has exited', async () => {
    const lock = path.join(tmp, 'stale.lock');
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'pid'), dead.stdout.trim());
    const t0 = Date.now();
    expect(await withDirLock(lock, async () => 'got it', 5_000)).toBe('got it');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('gives up after its timeout while a live process holds the lock, naming the lock', async () => {
    const lock = path.join(tmp, 'held.lock');
    mkdirSync(lock);
    writeFileSync(path.join(lock, 'pid'), String(process.pid));
    await expect(withDirLock(lock, async () => 'never', 600)).rejects.toThrow(`waiting for the lock ${lock}`);
    expect(existsSync(lock)).toBe(true);
  });
});
