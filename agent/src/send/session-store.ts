/** Persists the agent's Auth session in a 0600 file, so refreshed (rotated) refresh tokens survive restarts. */
import fs from 'node:fs';
import path from 'node:path';

/** The storage interface auth-js expects. */
export interface SessionStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A storage keeping all keys in one JSON file, written atomically. */
export function fileSessionStorage(file: string): SessionStorage {
  let cache: Record<string, string> | null = null;
  const load = (): Record<string, string> => {
    if (cache) return cache;
    try {
      cache = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      cache = {};
    }
    return cache;
  };
  const save = () => {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(cache), { mode: 0o600 });
    fs.renameSync(tmp, file);
  };
  return {
    getItem: (key) => load()[key] ?? null,
    setItem(key, value) {
      load()[key] = value;
      save();
    },
    removeItem(key) {
      delete load()[key];
      save();
    },
  };
}
