/** A HostSource over a fixture tree: `<dir>/proc`, `<dir>/sys`, and statfs results from `<dir>/statfs.json`. */
import fs from 'node:fs';
import path from 'node:path';
import type { FsStat, HostSource } from '../src/collect/source.ts';

/** Absolute path of a fixture directory. */
export function fixture(name: string): string {
  return path.join(import.meta.dirname, 'fixtures', name);
}

/** Source reading the fixture tree `name` (e.g. "server/t0"). */
export function fixtureSource(name: string): HostSource {
  const dir = fixture(name);
  const statfsFile = path.join(dir, 'statfs.json');
  const stats: Record<string, FsStat> = fs.existsSync(statfsFile)
    ? JSON.parse(fs.readFileSync(statfsFile, 'utf8'))
    : {};
  return {
    procRoot: path.join(dir, 'proc'),
    sysRoot: path.join(dir, 'sys'),
    readText: (file) => fs.readFileSync(file, 'utf8'),
    listDir: (d) => fs.readdirSync(d),
    async statfs(mount) {
      const s = stats[mount];
      if (!s) throw Object.assign(new Error(`ENOENT: no statfs fixture for ${mount}`), { code: 'ENOENT' });
      return s;
    },
  };
}
