/** The deployment as a list of steps, built from the config alone (pure) so a dry run can print it exactly. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { cliDbUrl } from '../../stack/src/supabase-cli.ts';
import type { DeployConfig } from './config.ts';

/** One Supabase CLI invocation. */
export interface CliStep {
  kind: 'cli';
  title: string;
  args: string[];
  /** Run even in a dry run (only `db push --dry-run`, which changes nothing). */
  inDryRun: boolean;
}

/** Tells the database where the functions are, makes sure pg_net is there, and checks the cron jobs. */
export interface SchedulesStep {
  kind: 'schedules';
  title: string;
  functionsUrl: string;
  jobs: string[];
}

export type DeployStep = CliStep | SchedulesStep;

/** Edge functions to deploy: every folder of supabase/functions with an index.ts, except `_shared`-style ones. */
export function functionNames(projectDir: string): string[] {
  const dir = path.join(projectDir, 'supabase', 'functions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(path.join(dir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/** pg_cron job names the migrations schedule (`cron.schedule('<name>', …)`), in migration order. */
export function declaredCronJobs(projectDir: string): string[] {
  const dir = path.join(projectDir, 'supabase', 'migrations');
  const jobs: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/cron\.schedule\(\s*'([^']+)'/g)) {
      if (!jobs.includes(m[1]!)) jobs.push(m[1]!);
    }
  }
  return jobs;
}

const REF_PLACEHOLDER = '<SUPABASE_PROJECT_REF>';

/** Every step of `npm run deploy`, in order. */
export function deployPlan(config: DeployConfig, functions: string[], jobs: string[]): DeployStep[] {
  const ref = config.projectRef ?? REF_PLACEHOLDER;
  const push = config.dbUrl ? ['--db-url', cliDbUrl(config.dbUrl)] : ['--linked'];
  const apiUrl = config.apiUrl ?? `https://${ref}.supabase.co`;
  const steps: DeployStep[] = [
    { kind: 'cli', title: `Link project ${ref}`, args: ['link', '--project-ref', ref], inDryRun: false },
    config.dryRun
      ? {
          kind: 'cli',
          title: 'List the migrations db push would apply',
          args: ['db', 'push', '--dry-run', ...push, '--include-all'],
          inDryRun: true,
        }
      : {
          kind: 'cli',
          title: 'Apply pending migrations',
          args: ['db', 'push', ...push, '--include-all', '--yes'],
          inDryRun: false,
        },
    {
      kind: 'cli',
      title: `Deploy edge functions (${functions.join(', ')}); verify_jwt per supabase/config.toml`,
      // --use-api bundles on Supabase's side: no Docker needed.
      args: ['functions', 'deploy', ...functions, '--project-ref', ref, '--use-api', '--yes'],
      inDryRun: false,
    },
    {
      kind: 'cli',
      title: 'Set function secrets',
      args: ['secrets', 'set', '--env-file', config.envFile, '--project-ref', ref],
      inDryRun: false,
    },
    {
      kind: 'schedules',
      title: `Point pg_net and pg_cron at ${apiUrl}/functions/v1 and check the cron jobs`,
      functionsUrl: `${apiUrl}/functions/v1`,
      jobs,
    },
  ];
  return steps;
}

/** The step as a shell line for humans, with the database password masked. */
export function describeStep(step: DeployStep): string {
  if (step.kind === 'schedules') {
    return [
      `create extension if not exists pg_net with schema extensions;`,
      `select private.configure_edge_functions('${step.functionsUrl}', '<service key>');`,
      `check cron.job holds: ${step.jobs.join(', ')}`,
    ].join('\n    ');
  }
  return ['supabase', ...step.args].map((a) => maskUrl(a)).join(' ');
}

/** A Postgres URL with its password replaced by ***. */
export function maskUrl(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@');
}
