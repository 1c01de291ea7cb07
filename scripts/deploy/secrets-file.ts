/** Checks the function secrets file before `supabase secrets set --env-file` uploads it. */
import { readFileSync } from 'node:fs';
import { parseDotenv } from '../../stack/src/supabase-cli.ts';

/** Secrets the project's functions read (supabase/functions/**): cache-snapshots needs Upstash, notifications link to the dashboard. */
export const REQUIRED_SECRETS = ['UPSTASH_REDIS_REST_URL', 'UPSTASH_REDIS_REST_TOKEN', 'VIBE_DASHBOARD_URL'] as const;

/** Problems with a parsed secrets file (empty when it is fine); pure so it is tested without a file. */
export function secretProblems(vars: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(vars)) {
    // Hosted projects set SUPABASE_* themselves and the CLI refuses to overwrite them.
    if (name.startsWith('SUPABASE_'))
      problems.push(
        `${name}: names starting with SUPABASE_ are reserved by hosted Supabase; remove it (the functions get it automatically)`,
      );
  }
  for (const name of REQUIRED_SECRETS) {
    if (!vars[name]) problems.push(`${name} is missing or empty`);
  }
  for (const name of ['UPSTASH_REDIS_REST_URL', 'VIBE_DASHBOARD_URL']) {
    const v = vars[name];
    if (v && !/^https:\/\//.test(v)) problems.push(`${name} must be an https:// URL, got "${v}"`);
  }
  return problems;
}

/** Reads and checks the file; returns the secret names (never values) or throws listing every problem. */
export function readSecretsFile(file: string): string[] {
  const vars = parseDotenv(readFileSync(file, 'utf8'));
  const problems = secretProblems(vars);
  if (problems.length) throw new Error(`Cannot use ${file} as function secrets:\n  ${problems.join('\n  ')}`);
  return Object.keys(vars).sort();
}
