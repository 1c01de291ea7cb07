/** A cross-process lock on one machine: a directory made atomically, holding its owner's pid so a crashed owner's lock is taken over. */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryAcquire(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner = NaN;
    try {
      owner = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
    } catch {
      // No pid yet: the owner is between mkdir and writing it, unless that was long ago and it died there.
      const st = statSync(dir, { throwIfNoEntry: false });
      if (!st) return tryAcquire(dir);
      if (Date.now() - st.mtimeMs < 10_000) return false;
    }
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
    rmSync(dir, { recursive: true, force: true });
    return tryAcquire(dir);
  }
  writeFileSync(path.join(dir, 'pid'), String(process.pid));
  return true;
}

/** Runs `fn` while holding the lock `dir`, waiting (polling) for another holder to finish first. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(dir)) {
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs / 1000} s waiting for the lock ${dir} (remove it if no build is running)`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
