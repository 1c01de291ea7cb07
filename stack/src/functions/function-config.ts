/** Per-function settings from `supabase/config.toml` (`[functions.<name>]`): verify_jwt, enabled, entrypoint, import_map. */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface FunctionSettings {
  /** Require a valid JWT in `Authorization` (hosted and CLI default: true). */
  verifyJwt: boolean;
  enabled: boolean;
  /** Absolute entrypoint path when config.toml sets one. */
  entrypoint?: string;
  /** Absolute import map path when config.toml sets one. */
  importMap?: string;
}

type TomlValue = string | boolean | number;

/**
 * Reads the `[functions.<name>]` tables of a config.toml. Only flat `key = value` pairs with string, boolean and
 * number values are read: that is all these tables hold, so a full TOML parser is not needed.
 */
export function parseFunctionsToml(text: string): Map<string, Record<string, TomlValue>> {
  const tables = new Map<string, Record<string, TomlValue>>();
  let current: Record<string, TomlValue> | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const m = /^functions\.(?:"([^"]+)"|([A-Za-z0-9_-]+))$/.exec(header[1]!);
      current = m ? {} : null;
      if (m) tables.set(m[1] ?? m[2]!, current!);
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

/** Reads config.toml (next to the functions folder) on change only, and answers a function's settings. */
export class FunctionsConfig {
  readonly #file: string;
  #mtimeMs = -1;
  #tables = new Map<string, Record<string, TomlValue>>();

  constructor(configToml: string) {
    this.#file = configToml;
  }

  /** Settings for one function; unlisted functions get the defaults (verify_jwt on). */
  async settings(name: string): Promise<FunctionSettings> {
    await this.#refresh();
    const t = this.#tables.get(name) ?? {};
    const base = path.dirname(this.#file);
    return {
      verifyJwt: t.verify_jwt !== false,
      enabled: t.enabled !== false,
      ...(typeof t.entrypoint === 'string' && t.entrypoint ? { entrypoint: path.resolve(base, t.entrypoint) } : {}),
      ...(typeof t.import_map === 'string' && t.import_map ? { importMap: path.resolve(base, t.import_map) } : {}),
    };
  }

  async #refresh(): Promise<void> {
    const stat = await fs.stat(this.#file).catch(() => null);
    const mtime = stat?.mtimeMs ?? 0;
    if (mtime === this.#mtimeMs) return;
    this.#mtimeMs = mtime;
    this.#tables = stat ? parseFunctionsToml(await fs.readFile(this.#file, 'utf8')) : new Map();
  }
}
