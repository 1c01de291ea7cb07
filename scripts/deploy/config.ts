/** Deployment settings, read once from flags and the environment into one frozen object. */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Everything `npm run deploy` needs; secrets stay here and are masked wherever a step is printed. */
export interface DeployConfig {
  readonly projectDir: string;
  readonly dryRun: boolean;
  /** Hosted project ref (20 lower-case letters); null only in a dry run. */
  readonly projectRef: string | null;
  /** Database password for `supabase link` / `db push --linked` (passed as SUPABASE_DB_PASSWORD, never in argv). */
  readonly dbPassword: string | null;
  /** Direct Postgres URL: pushes with `--db-url` and configures the schedules; required for a dry run. */
  readonly dbUrl: string | null;
  /** Public API URL the database's pg_net calls reach the functions through (default https://<ref>.supabase.co). */
  readonly apiUrl: string | null;
  /** service_role JWT or sb_secret_ key the database sends to the functions. */
  readonly serviceKey: string | null;
  /** dotenv file of function secrets (`supabase secrets set --env-file`). */
  readonly envFile: string;
}

const USAGE = `Usage: npm run deploy [-- --dry-run] [--db-url <postgres url>] [--env-file <file>] [--project-ref <ref>]
Environment: SUPABASE_PROJECT_REF, SUPABASE_ACCESS_TOKEN (supabase login), SUPABASE_DB_PASSWORD, SUPABASE_DB_URL,
SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEY), SUPABASE_URL (custom domain), VIBE_DEPLOY_ENV_FILE.`;

/** Thrown for a missing or malformed setting; the message names the variable and how to set it. */
export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

function flags(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new DeployConfigError(USAGE);
    if (!arg.startsWith('--')) throw new DeployConfigError(`Unexpected argument "${arg}"\n${USAGE}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (name === 'dry-run') out.set(name, true);
    else if (['db-url', 'env-file', 'project-ref'].includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--'))
        throw new DeployConfigError(`--${name} needs a value\n${USAGE}`);
      out.set(name, value);
    } else throw new DeployConfigError(`Unknown option --${name}\n${USAGE}`);
  }
  return out;
}

/** Builds the frozen deployment config; a real deploy fails fast naming the first missing variable. */
export function loadDeployConfig(argv: string[], env: NodeJS.ProcessEnv, projectDir: string): DeployConfig {
  const f = flags(argv);
  const str = (flag: string, name: string) => {
    const v = f.get(flag);
    return typeof v === 'string' && v !== '' ? v : env[name] || null;
  };
  const dryRun = f.get('dry-run') === true;
  const projectRef = str('project-ref', 'SUPABASE_PROJECT_REF');
  if (projectRef !== null && !/^[a-z]{20}$/.test(projectRef)) {
    throw new DeployConfigError(
      `SUPABASE_PROJECT_REF "${projectRef}" is not a project ref: copy the 20 lower-case letters from your project URL (https://<ref>.supabase.co)`,
    );
  }
  const dbUrl = str('db-url', 'SUPABASE_DB_URL');
  if (dbUrl !== null && !/^postgres(ql)?:\/\//.test(dbUrl)) {
    throw new DeployConfigError(
      'SUPABASE_DB_URL must be a postgresql:// connection string (Dashboard → Connect → Session pooler)',
    );
  }
  const envFile = path.resolve(projectDir, str('env-file', 'VIBE_DEPLOY_ENV_FILE') ?? 'supabase/.env.production.local');
  const config: DeployConfig = Object.freeze({
    projectDir,
    dryRun,
    projectRef,
    dbPassword: env.SUPABASE_DB_PASSWORD || null,
    dbUrl,
    apiUrl:
      (env.SUPABASE_URL || (projectRef ? `https://${projectRef}.supabase.co` : null))?.replace(/\/+$/, '') ?? null,
    serviceKey: env.SUPABASE_SERVICE_ROLE_KEY || env.SUPABASE_SECRET_KEY || null,
    envFile,
  });
  if (dryRun) {
    if (!dbUrl)
      throw new DeployConfigError(
        'A dry run needs a database to compare with: pass --db-url <postgres url> or set SUPABASE_DB_URL',
      );
    return config;
  }
  if (!projectRef)
    throw new DeployConfigError(
      'Missing SUPABASE_PROJECT_REF: set it to your project ref (the <ref> in https://<ref>.supabase.co)',
    );
  if (!env.SUPABASE_ACCESS_TOKEN)
    throw new DeployConfigError(
      'Missing SUPABASE_ACCESS_TOKEN: create one at https://supabase.com/dashboard/account/tokens (or run supabase login)',
    );
  if (!config.dbPassword && !dbUrl)
    throw new DeployConfigError(
      'Missing SUPABASE_DB_PASSWORD (or SUPABASE_DB_URL): the database password from Dashboard → Project Settings → Database',
    );
  if (!config.serviceKey)
    throw new DeployConfigError(
      'Missing SUPABASE_SERVICE_ROLE_KEY: the service_role (or sb_secret_) key pg_net sends to the functions, from Dashboard → Project Settings → API Keys',
    );
  if (!existsSync(envFile))
    throw new DeployConfigError(
      `Missing function secrets file ${envFile}: copy scripts/deploy.env.example there and fill it in (or pass --env-file)`,
    );
  return config;
}
