/**
 * The Supabase CLI as the stack and `npm run deploy` both drive it: run a command, point it at a database,
 * read the dotenv files it reads. Part of the stack's public API (stack/src/index.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project's own CLI (the `supabase` npm package), else the one this repository installs (a project folder
 * served with VIBE_PROJECT_DIR need not have one), else one on the PATH.
 */
function cliPath(projectDir: string): string {
  for (const root of [projectDir, path.resolve(import.meta.dirname, '..', '..')]) {
    const local = path.join(root, 'node_modules', '.bin', 'supabase');
    if (existsSync(local)) return local;
  }
  return 'supabase';
}

/** The database URL for `--db-url`: the CLI wants TLS off explicitly against a local server. */
export function cliDbUrl(dbUrl: string): string {
  const u = new URL(dbUrl);
  if (!u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return u.toString();
}

/** Runs one Supabase CLI command in the project directory; resolves with its output, rejects with it on failure. */
export function runSupabaseCli(projectDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cliPath(projectDir), args, {
      cwd: projectDir,
      env: {
        ...process.env,
        SUPABASE_TELEMETRY_DISABLED: '1',
        DO_NOT_TRACK: '1',
        SUPABASE_INTERNAL_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`supabase ${args[0]} ${args[1] ?? ''} failed (exit ${code}):\n${out.trim()}`));
    });
  });
}

/** Parses dotenv `KEY=value` lines as the CLI does: `#` comments, `export ` prefixes, single/double/back quotes, `\n` escapes in double quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re =
    /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*('(?:[^']*)'|"(?:\\.|[^"\\])*"|`[^`]*`|[^\r\n]*)?/gm;
  for (const m of text.matchAll(re)) {
    const key = m[1]!;
    let value = (m[2] ?? '').trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([nrt"\\])/g, (_s, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else {
      // An unquoted value ends at an inline comment.
      value = value.replace(/\s+#.*$/, '');
    }
    out[key] = value;
  }
  return out;
}
