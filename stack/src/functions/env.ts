/** The environment of a function worker: what `supabase functions serve` passes, plus what Deno itself needs. */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Keys } from '../keys.ts';
import { parseDotenv } from '../supabase-cli.ts';

/** Stack variables the CLI replaces or never passes (the JWT secret stays with the gateway). */
const NOT_PASSED = new Set(['SUPABASE_JWT_SECRET', 'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_SECRET_KEY']);
/**
 * Host variables Deno needs (temp folder, npm registry, the machine's CAs, proxies); the CLI hides HOME, PATH, PWD, HOSTNAME.
 * VIBE_ALLOWED_DEV_HOSTS lets a local run (tests, benchmarks) exempt its own receivers from the notification URL guard;
 * VIBE_PROVIDER_API_BASE sends the fixed provider APIs (email, Telegram, PagerDuty) to a test receiver.
 */
const HOST_PASSTHROUGH =
  /^(VIBE_ALLOWED_DEV_HOSTS|VIBE_PROVIDER_API_BASE|TMPDIR|DENO_CERT|DENO_TLS_CA_STORE|SSL_CERT_FILE|SSL_CERT_DIR|NPM_CONFIG_REGISTRY|npm_config_registry|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/;

/** Where Deno keeps its module and npm cache: the user's, so every stack shares one warm cache. */
export function denoDir(hostEnv: NodeJS.ProcessEnv = process.env): string {
  return hostEnv.DENO_DIR || path.join(os.homedir(), '.cache', 'deno');
}

export interface WorkerEnvInput {
  /** The stack's variables (SUPABASE_URL, keys, DB URL, Upstash). */
  stackEnv: Record<string, string>;
  keys: Keys;
  /** `<functionsDir>/.env`; missing is fine. */
  dotenvFile: string;
  /** Told about ignored `.env` entries. */
  warn: (line: string) => void;
  hostEnv?: NodeJS.ProcessEnv;
}

/** Builds the env a worker sees in `Deno.env`, as the CLI builds it for edge-runtime. */
export function workerEnv(input: WorkerEnvInput): Record<string, string> {
  const hostEnv = input.hostEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(hostEnv)) if (v !== undefined && HOST_PASSTHROUGH.test(k)) env[k] = v;
  env.DENO_DIR = denoDir(hostEnv);
  env.DENO_NO_UPDATE_CHECK = '1';
  env.NO_COLOR = '1';
  if (existsSync(input.dotenvFile)) {
    for (const [k, v] of Object.entries(parseDotenv(readFileSync(input.dotenvFile, 'utf8')))) {
      // The CLI refuses user variables in its own namespace, so a .env can never shadow the project's keys.
      if (k.startsWith('SUPABASE_'))
        input.warn(`Env name cannot start with SUPABASE_, skipping: ${k} (${input.dotenvFile})`);
      else env[k] = v;
    }
  }
  for (const [k, v] of Object.entries(input.stackEnv)) if (!NOT_PASSED.has(k)) env[k] = v;
  const { secrets } = input.keys;
  env.SUPABASE_ANON_KEY = input.keys.anonKey;
  env.SUPABASE_SERVICE_ROLE_KEY = input.keys.serviceRoleKey;
  env.SUPABASE_PUBLISHABLE_KEYS = JSON.stringify({ default: secrets.publishableKey });
  env.SUPABASE_SECRET_KEYS = JSON.stringify({ default: secrets.secretKey });
  env.SUPABASE_JWKS = JSON.stringify(input.keys.jwks);
  return env;
}
