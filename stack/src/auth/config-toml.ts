/**
 * The parts of `supabase/config.toml` the stack reads: flat `key = value` pairs (strings, booleans, numbers and
 * arrays of strings) of every table. That is all the tables the stack reads hold, so a full TOML parser is not
 * needed; inline tables and multi-line strings are skipped.
 */
import fs from 'node:fs';

/** A config.toml value the stack reads. */
export type TomlValue = string | boolean | number | string[];

/** The flat `key = value` pairs of each table, by the table's full name (`api`, `auth`, `auth.email`, ...). */
export type Toml = Map<string, Record<string, TomlValue>>;

/** The `[auth.<name>]` tables by `<name>` (`rate_limit`, `email`, `mfa.totp`, ...); `[auth]` itself is under `''`. */
export type AuthToml = Map<string, Record<string, TomlValue>>;

const SCALAR = String.raw`"(?:\\.|[^"\\])*"|'[^']*'|true|false|-?\d+(?:\.\d+)?`;
const KV = new RegExp(String.raw`^([A-Za-z0-9_-]+)\s*=\s*(${SCALAR}|\[[^\]]*\])\s*(?:#.*)?$`);

function scalar(v: string): string | boolean | number {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^[-\d]/.test(v)) return Number(v);
  const inner = v.slice(1, -1);
  return v.startsWith('"') ? inner.replace(/\\(["\\])/g, '$1') : inner;
}

/** Parses every table's flat pairs. */
export function parseToml(text: string): Toml {
  const tables: Toml = new Map([['', {}]]);
  let current: Record<string, TomlValue> = tables.get('')!;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1]!.replace(/\s*\.\s*/g, '.');
      current = tables.get(name) ?? {};
      tables.set(name, current);
      continue;
    }
    const kv = KV.exec(line);
    if (!kv) continue;
    const v = kv[2]!;
    if (v.startsWith('[')) {
      const items = [...v.slice(1, -1).matchAll(new RegExp(SCALAR, 'g'))].map((m) => scalar(m[0]));
      current[kv[1]!] = items.filter((x): x is string => typeof x === 'string');
    } else current[kv[1]!] = scalar(v);
  }
  return tables;
}

/** The `[auth]` and `[auth.*]` tables of a parsed config.toml, keyed as AuthToml. */
export function authTables(toml: Toml): AuthToml {
  const out: AuthToml = new Map();
  for (const [name, table] of toml) {
    if (name === 'auth') out.set('', table);
    else if (name.startsWith('auth.')) out.set(name.slice(5), table);
  }
  return out;
}

/** Parses the `[auth.*]` tables of a config.toml text. */
export function parseAuthToml(text: string): AuthToml {
  return authTables(parseToml(text));
}

/** Reads and parses the file; a missing file is an empty config (the defaults apply). */
export function readToml(file: string): Toml {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
  return parseToml(text);
}

/** Reads the `[auth.*]` tables of a config.toml; a missing file is an empty config (GoTrue's defaults apply). */
export function readAuthToml(file: string): AuthToml {
  return authTables(readToml(file));
}
