/**
 * First start of Postgres: the superuser password handed to initdb is never in a file other local users can
 * read (a file with o+r whose folders others can all enter), neither while initdb runs nor afterwards.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PostgresServer } from '../src/db/postgres.ts';
import { freePort } from '../../testkit/src/free-port.ts';

const password = `pw-${randomBytes(12).toString('hex')}`;
let dataDir = '';
let server: PostgresServer | undefined;

afterAll(async () => {
  await server?.stop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

/** Whether someone who is neither owner nor group could open the file: o+r on it, o+x on every folder above. */
function worldReadable(file: string): boolean {
  if ((statSync(file).mode & 0o004) === 0) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/** Files (two levels deep) under the temp folder and the data folder's parent that hold the password. */
function filesWithPassword(roots: string[]): { file: string; mode: number; worldReadable: boolean }[] {
  const found: { file: string; mode: number; worldReadable: boolean }[] = [];
  const visit = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      try {
        if (e.isDirectory()) {
          if (depth > 0) visit(p, depth - 1);
        } else if (e.isFile() && statSync(p).size < 4096 && readFileSync(p, 'utf8').includes(password)) {
          found.push({ file: p, mode: statSync(p).mode & 0o777, worldReadable: worldReadable(p) });
        }
      } catch {
        // removed between listing and reading
      }
    }
  };
  for (const r of roots) visit(r, 1);
  return found;
}

it('keeps the initdb password file private (0600 in a 0700 folder) and removes it right after initdb', async () => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-pwfile-test-'));
  await fs.chmod(parent, 0o755);
  dataDir = parent;
  server = new PostgresServer({ dataDir: path.join(parent, 'db'), port: await freePort(), password });
  const seen = new Map<string, { mode: number; worldReadable: boolean }>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const f of filesWithPassword([os.tmpdir(), parent])) seen.set(f.file, f);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await server.start();
  watching = false;
  await watch;
  // initdb read the password from a file: the watcher must have seen it, or the test proves nothing
  expect(seen.size).toBeGreaterThan(0);
  for (const [file, f] of seen) {
    expect({ file, worldReadable: f.worldReadable }).toEqual({ file, worldReadable: false });
    expect(f.mode).toBe(0o600);
    expect(statSync(path.dirname(file), { throwIfNoEntry: false })).toBeUndefined(); // folder removed too
  }
  expect(filesWithPassword([os.tmpdir(), parent])).toEqual([]);
}, 120_000);
