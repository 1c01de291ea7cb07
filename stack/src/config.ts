/** Stack configuration, read once from the environment at start-up. */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface StackConfig {
  /** Root of everything the stack keeps on disk (`.vibe/` by default). */
  readonly dataDir: string;
  /** Postgres data directory (inside dataDir unless overridden). */
  readonly dbDir: string;
  readonly gatewayPort: number;
  readonly dbPort: number;
  readonly host: string;
  /** External Postgres to use instead of starting one (`DATABASE_URL`). */
  readonly externalDatabaseUrl: string | null;
  /** Largest request body the gateway accepts, in bytes. */
  readonly maxBodyBytes: number;
  /** Project root holding `supabase/` (`VIBE_PROJECT_DIR`, default this repository), as `supabase start` serves its folder. */
  readonly projectDir: string;
  /** Quiet Postgres logs unless asked. */
  readonly verbose: boolean;
  /** Edge Functions folder (`VIBE_FUNCTIONS_DIR`, default `<projectDir>/supabase/functions`); its parent holds `config.toml`. */
  readonly functionsDir: string;
  /** Restart a function's worker when its files change (`VIBE_FUNCTIONS_WATCH=0` turns it off). */
  readonly functionsWatch: boolean;
}

function intEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535 * 1024 * 1024) {
    throw new Error(`Invalid ${name}: expected a whole number, got "${raw}"`);
  }
  return n;
}

/** `VIBE_PROJECT_DIR` (a folder holding `supabase/`), else this repository. */
function projectDirOf(env: NodeJS.ProcessEnv): string {
  const raw = env.VIBE_PROJECT_DIR;
  if (!raw) return path.resolve(import.meta.dirname, '..', '..');
  const dir = path.resolve(raw);
  if (!existsSync(path.join(dir, 'supabase')))
    throw new Error(
      `Invalid VIBE_PROJECT_DIR: ${dir} has no supabase/ folder; name a Supabase project folder (the one holding supabase/config.toml and supabase/migrations)`,
    );
  return dir;
}

/** Builds the frozen stack configuration from environment variables and overrides. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<StackConfig> = {}): StackConfig {
  const projectDir = overrides.projectDir ?? projectDirOf(env);
  const dataDir = path.resolve(projectDir, overrides.dataDir ?? env.VIBE_DATA_DIR ?? '.vibe');
  return Object.freeze({
    projectDir,
    dataDir,
    dbDir: overrides.dbDir ?? path.join(dataDir, 'db'),
    gatewayPort: overrides.gatewayPort ?? intEnv(env, 'VIBE_GATEWAY_PORT', 54321),
    dbPort: overrides.dbPort ?? intEnv(env, 'VIBE_DB_PORT', 54322),
    host: overrides.host ?? env.VIBE_HOST ?? '127.0.0.1',
    externalDatabaseUrl: overrides.externalDatabaseUrl ?? (env.DATABASE_URL || null),
    maxBodyBytes: overrides.maxBodyBytes ?? intEnv(env, 'VIBE_MAX_BODY_BYTES', 8 * 1024 * 1024),
    verbose: overrides.verbose ?? env.VIBE_VERBOSE === '1',
    functionsDir: path.resolve(projectDir, overrides.functionsDir ?? env.VIBE_FUNCTIONS_DIR ?? 'supabase/functions'),
    functionsWatch: overrides.functionsWatch ?? env.VIBE_FUNCTIONS_WATCH !== '0',
  });
}
