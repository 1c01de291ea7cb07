/** The database side of the deployment: where pg_net finds the functions, and the cron jobs the migrations declared. */
import pg from 'pg';

/** Cron jobs from `expected` that the database does not have (pure). */
export function missingJobs(expected: string[], present: string[]): string[] {
  return expected.filter((j) => !present.includes(j));
}

/** Names of the cron jobs in the database, or null when pg_cron is not enabled there. */
export async function cronJobs(client: pg.Client): Promise<string[] | null> {
  const { rows } = await client.query<{ ok: boolean }>(`select to_regclass('cron.job') is not null as ok`);
  if (!rows[0]?.ok) return null;
  return (
    await client.query<{ jobname: string }>('select jobname from cron.job where jobname is not null order by jobname')
  ).rows.map((r) => r.jobname);
}

/** Enables pg_net, stores the functions URL and key, and fails naming any declared cron job that is missing. */
export async function configureSchedules(
  dbUrl: string,
  functionsUrl: string,
  serviceKey: string,
  expected: string[],
): Promise<string[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    // The triggers and jobs call the functions through pg_net; hosted projects have it available but off.
    await client.query('create extension if not exists pg_net with schema extensions');
    await client.query('select private.configure_edge_functions($1, $2)', [functionsUrl, serviceKey]);
    const present = await cronJobs(client);
    if (present === null)
      throw new Error(
        'pg_cron is not enabled: enable it (Dashboard → Database → Extensions → pg_cron), then run npm run deploy again',
      );
    const missing = missingJobs(expected, present);
    if (missing.length) {
      throw new Error(
        `Cron jobs missing after db push: ${missing.join(', ')}. The migrations schedule them only when pg_cron exists: enable pg_cron, then rerun the migrations that declare them`,
      );
    }
    return present;
  } finally {
    await client.end();
  }
}
