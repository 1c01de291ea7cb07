/**
 * The built web app carries no server credential: it is built here with the service-role key, the secret key,
 * the JWT secret, the database URL and the Upstash token all present in the build environment, and no output
 * file may contain any of them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ensureWebBuild, WEB_DIR } from '../../web/scripts/build.ts';

const env = inject('stack');
let outDir = '';
afterAll(async () => {
  if (outDir) await fs.rm(outDir, { recursive: true, force: true });
});

/** Every file under dir, recursively. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('built web assets', () => {
  it('contain no service-role key, secret key, JWT secret, database password or Upstash token', {
    timeout: 600_000,
  }, async () => {
    const dbPassword = decodeURIComponent(new URL(env.SUPABASE_DB_URL).password);
    const secrets: Record<string, string> = {
      SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY,
      SUPABASE_SECRET_KEY: env.SUPABASE_SECRET_KEY,
      SUPABASE_JWT_SECRET: env.SUPABASE_JWT_SECRET,
      'database password': dbPassword,
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
    };
    // Inside web/ so the generated files resolve @sveltejs/kit; `.vibe-*/` is git-ignored.
    outDir = await fs.mkdtemp(path.join(WEB_DIR, '.vibe-secrets-'));
    // Every name a careless build could inline from: the values are present, only a leak would copy them.
    const buildEnv = {
      PUBLIC_SUPABASE_URL: env.SUPABASE_URL,
      PUBLIC_SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      SUPABASE_URL: env.SUPABASE_URL,
      SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY,
      SUPABASE_SECRET_KEY: env.SUPABASE_SECRET_KEY,
      SUPABASE_JWT_SECRET: env.SUPABASE_JWT_SECRET,
      SUPABASE_DB_URL: env.SUPABASE_DB_URL,
      DATABASE_URL: env.SUPABASE_DB_URL,
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
    };
    // The project's one build (web/scripts/build.ts): a fresh output folder is always stale, so this builds.
    expect(await ensureWebBuild({ outDir, env: buildEnv })).toBe(true);
    const files = await listFiles(path.join(outDir, 'build'));
    const clientFiles = files.filter(
      (f) => f.includes(`${path.sep}client${path.sep}`) && /\.(js|css|html|json)$/.test(f),
    );
    expect(clientFiles.length, 'the build produced no client assets').toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const file of files) {
      const buf = await fs.readFile(file);
      // Precompressed copies (.gz, .br) hold the same text as the file beside them.
      if (/\.(gz|br)$/.test(file)) continue;
      const text = buf.toString('latin1');
      for (const [name, value] of Object.entries(secrets)) {
        if (value && text.includes(value)) leaks.push(`${name} in ${path.relative(outDir, file)}`);
      }
    }
    expect(leaks, 'read server credentials only from $app/env/private at run time, never in client code').toEqual([]);
  });
});
