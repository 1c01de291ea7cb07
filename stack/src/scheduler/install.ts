/** Installs the pg_cron and pg_net emulations as SQL-only extensions into the embedded Postgres. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { postgresInstall } from '../db/binaries.ts';

const SOURCE_DIR = path.join(import.meta.dirname, 'extension');

/** The embedded Postgres's `share/extension` folder, where `create extension` looks for control files. */
export async function embeddedExtensionDir(): Promise<string> {
  return (await postgresInstall()).extensionDir;
}

/**
 * Copies `extension/*.control|sql` next to Postgres's own extensions so that migrations can say
 * `create extension pg_cron` / `pg_net` exactly as on hosted Supabase. Returns a warning instead of
 * throwing when the folder is not writable, so the rest of the stack still starts.
 */
export async function installEmulatedExtensions(targetDir?: string): Promise<string | null> {
  try {
    const dir = targetDir ?? (await embeddedExtensionDir());
    if (!existsSync(dir)) return `Cannot install pg_cron/pg_net emulation: ${dir} does not exist`;
    for (const name of readdirSync(SOURCE_DIR)) {
      const text = readFileSync(path.join(SOURCE_DIR, name), 'utf8');
      const target = path.join(dir, name);
      if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
      // Write then rename: several stacks may start at once and Postgres must never read half a file.
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, text, { mode: 0o644 });
      await fs.rename(tmp, target);
    }
    return null;
  } catch (err) {
    return `Cannot install pg_cron/pg_net emulation (${(err as Error).message}); cron.schedule and net.http_post will be missing`;
  }
}
