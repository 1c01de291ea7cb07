/** The `[auth.*]` tables of `supabase/config.toml` the Auth server reads: `[auth.rate_limit]` and `[auth.email]`. */
import fs from 'node:fs';

/** A config.toml value the Auth server reads (flat keys only). */
export type TomlValue = string | boolean | number;

/** The flat `key = value` pairs of each `[auth.<name>]` table, by name (`rate_limit`, `email`, ...). */
export type AuthToml = Map<string, Record<string, TomlValue>>;

/**
 * Reads the `[auth.<name>]` tables of a config.toml. Only flat `key = value` pairs with string, boolean and
 * number values are read: that is all these tables hold, so a full TOML parser is not needed.
 */
export function parseAuthToml(text: string): AuthToml {
  const tables: AuthToml = new Map();
  let current: Record<string, TomlValue> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const m = /^auth\.([A-Za-z0-9_]+)$/.exec(header[1]!);
      current = m ? (tables.get(m[1]!) ?? {}) : null;
      if (m) tables.set(m[1]!, current!);
      continue;
    }
    if (!current) continue;
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*("(?:\\.|[^"\\])*"|'[^']*'|true|false|-?\d+(?:\.\d+)?)\s*(?:#.*)?$/.exec(line);
    if (!kv) continue;
    const v = kv[2]!;
    current[kv[1]!] = v === 'true' ? true : v === 'false' ? false : /^[-\d]/.test(v) ? Number(v) : v.slice(1, -1);
  }
  return tables;
}

/** Reads and parses the file; a missing file is an empty config (GoTrue's defaults apply). */
export function readAuthToml(file: string): AuthToml {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  return parseAuthToml(text);
}
