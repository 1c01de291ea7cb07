/**
 * `npm run deploy`: links the hosted project, pushes the migrations, deploys the edge functions, uploads
 * their secrets and points the database's schedules at them. `--dry-run --db-url <url>` runs only
 * `supabase db push --dry-run` against that database and prints every other step it would run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runSupabaseCli } from '../stack/src/supabase-cli.ts';
import { DeployConfigError, loadDeployConfig, type DeployConfig } from './deploy/config.ts';
import { declaredCronJobs, deployPlan, describeStep, functionNames, maskUrl, type DeployStep } from './deploy/plan.ts';
import { configureSchedules, cronJobs, missingJobs } from './deploy/schedules.ts';
import { readSecretsFile } from './deploy/secrets-file.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function runStep(config: DeployConfig, step: DeployStep, index: number, total: number): Promise<void> {
  const head = `[${index + 1}/${total}] ${step.title}`;
  if (config.dryRun && !(step.kind === 'cli' && step.inDryRun)) {
    out(`${head}\n  would run: ${describeStep(step)}`);
    if (step.kind === 'schedules') await previewSchedules(config, step.jobs);
    return;
  }
  out(`${head}\n  running: ${describeStep(step)}`);
  if (step.kind === 'cli') {
    const text = await runSupabaseCli(config.projectDir, step.args);
    for (const line of maskUrl(text).trim().split('\n')) if (line) out(`  | ${line}`);
  } else {
    const present = await configureSchedules(
      config.dbUrl ?? hostedDbUrl(config),
      step.functionsUrl,
      config.serviceKey!,
      step.jobs,
    );
    out(`  cron jobs: ${present.join(', ')}`);
  }
}

/** The direct connection string hosted Supabase documents, built from the ref and password. */
function hostedDbUrl(config: DeployConfig): string {
  return `postgresql://postgres:${encodeURIComponent(config.dbPassword!)}@db.${config.projectRef}.supabase.co:5432/postgres`;
}

/** In a dry run: which declared cron jobs the target database already has (read-only). */
async function previewSchedules(config: DeployConfig, jobs: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: config.dbUrl! });
  await client.connect();
  try {
    const present = await cronJobs(client);
    if (present === null)
      out('  pg_cron is not enabled in the target database: the migrations would skip their schedules');
    else {
      const missing = missingJobs(jobs, present);
      out(`  cron jobs present: ${jobs.filter((j) => present.includes(j)).join(', ') || 'none'}`);
      if (missing.length) out(`  cron jobs the pending migrations would add: ${missing.join(', ')}`);
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const projectDir = path.resolve(import.meta.dirname, '..');
  const config = loadDeployConfig(process.argv.slice(2), process.env, projectDir);
  if (existsSync(config.envFile))
    out(
      `Function secrets from ${path.relative(projectDir, config.envFile)}: ${readSecretsFile(config.envFile).join(', ')}`,
    );
  else
    out(
      `Function secrets file ${path.relative(projectDir, config.envFile)} does not exist yet (copy scripts/deploy.env.example)`,
    );
  const steps = deployPlan(config, functionNames(projectDir), declaredCronJobs(projectDir));
  out(
    config.dryRun
      ? `Dry run: ${steps.length} steps, only db push --dry-run touches the database`
      : `Deploying to ${config.projectRef}: ${steps.length} steps`,
  );
  for (const [i, step] of steps.entries()) await runStep(config, step, i, steps.length);
  out(config.dryRun ? 'Dry run complete: nothing was changed' : 'Deployed');
}

main().catch((err: unknown) => {
  const help = process.argv.includes('--help') || process.argv.includes('-h');
  if (help && err instanceof DeployConfigError) {
    process.stdout.write(`${err.message}\n`);
    process.exit(0);
  }
  process.stderr.write(
    `${err instanceof DeployConfigError ? '' : 'Deploy failed: '}${maskUrl((err as Error).message)}\n`,
  );
  process.exit(1);
});
