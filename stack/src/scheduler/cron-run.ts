/** Runs one pg_cron job the way pg_cron does and records it in cron.job_run_details. */
import pg from 'pg';

/** A row of cron.job, as the scheduler needs it. */
export interface CronJob {
  readonly jobid: string;
  readonly jobname: string | null;
  readonly schedule: string;
  readonly command: string;
  readonly database: string;
  readonly username: string;
  readonly active: boolean;
}

/** What a running job exposes so the scheduler can cancel it on stop. */
export interface RunHandle {
  pid: number | null;
  /** Set when the scheduler stops: a run that has not started its command yet does not start it. */
  stopping: boolean;
}

interface StatementResult {
  tag: string;
  tuples: number | null;
}

/** The connection string for the job's database, keeping the stack's credentials. */
export function jobUrl(dbUrl: string, database: string): string {
  const url = new URL(dbUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** What pg_cron stores as return_message for a finished command: `n row(s)` for results with rows, else the command tag. */
export function successMessage(last: StatementResult | undefined): string {
  if (!last || last.tuples !== null) {
    const n = last?.tuples ?? 0;
    return `${n} ${n === 1 ? 'row' : 'rows'}`;
  }
  return last.tag;
}

/** Formats a server error as libpq's PQresultErrorMessage does (severity, detail, hint, context lines). */
export function errorMessage(err: unknown): string {
  const e = err as Partial<pg.DatabaseError> & Error;
  if (!e.severity) return e.message;
  let text = `${e.severity}:  ${e.message}\n`;
  if (e.detail) text += `DETAIL:  ${e.detail}\n`;
  if (e.hint) text += `HINT:  ${e.hint}\n`;
  if (e.where) text += `CONTEXT:  ${e.where}\n`;
  return text;
}

/**
 * Runs `job.command` in its own connection as `job.username` (simple query protocol, so a
 * multi-statement command is one implicit transaction, as with pg_cron's libpq call), and records the
 * run: a 'running' row with the backend pid and start time, then 'succeeded' with the command tag or
 * 'failed' with the error.
 */
export async function runJob(pool: pg.Pool, dbUrl: string, job: CronJob, handle: RunHandle): Promise<void> {
  const client = new pg.Client({ connectionString: jobUrl(dbUrl, job.database), application_name: 'pg_cron' });
  client.on('error', () => {}); // a terminated backend surfaces through the pending query instead
  try {
    await client.connect();
  } catch {
    await pool.query(
      `insert into cron.job_run_details (jobid, database, username, command, status, return_message, start_time, end_time)
       values ($1, $2, $3, $4, 'failed', 'connection failed', now(), now())`,
      [job.jobid, job.database, job.username, job.command],
    );
    return;
  }
  handle.pid = (client as unknown as { processID: number | null }).processID;
  try {
    if (handle.stopping) return;
    const { rows } = await pool.query<{ runid: string }>(
      `insert into cron.job_run_details (jobid, job_pid, database, username, command, status, start_time)
       values ($1, $2, $3, $4, $5, 'running', now()) returning runid`,
      [job.jobid, handle.pid, job.database, job.username, job.command],
    );
    const runid = rows[0]!.runid;
    let status = 'succeeded';
    let message: string;
    try {
      await client.query(`set role ${client.escapeIdentifier(job.username)}`);
      message = successMessage(await runCommand(client, job.command));
    } catch (err) {
      status = 'failed';
      message = errorMessage(err);
    }
    await pool.query(
      `update cron.job_run_details set status = $2, return_message = $3, end_time = now() where runid = $1`,
      [runid, status, message],
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs a command and returns the last statement's outcome (tag and, when it returned rows, their count). */
async function runCommand(client: pg.Client, command: string): Promise<StatementResult | undefined> {
  const results: StatementResult[] = [];
  let tuples: number | null = null;
  const con = client.connection;
  const onRowDescription = () => (tuples = 0);
  const onDataRow = () => (tuples = (tuples ?? 0) + 1);
  const onComplete = (msg: { text?: string }) => {
    results.push({ tag: msg.text ?? '', tuples });
    tuples = null;
  };
  const onEmpty = () => results.push({ tag: '', tuples: 0 });
  con.on('rowDescription', onRowDescription);
  con.on('dataRow', onDataRow);
  con.on('commandComplete', onComplete);
  con.on('emptyQuery', onEmpty);
  try {
    await client.query(command);
    return results.at(-1);
  } finally {
    con.off('rowDescription', onRowDescription);
    con.off('dataRow', onDataRow);
    con.off('commandComplete', onComplete);
    con.off('emptyQuery', onEmpty);
  }
}
