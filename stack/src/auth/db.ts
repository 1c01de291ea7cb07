/** Transactions and database-error mapping for the Auth server (superuser pool, as GoTrue's own DB role). */
import type pg from 'pg';
import { type AuthError, validationFailed } from './errors.ts';

/** Anything that runs a query: the pool or a client inside a transaction. */
export type Db = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Runs `fn` in one transaction; rolls back when it throws, commits when it returns or throws a `CommitThenThrow`. */
export async function withTx<T>(pool: pg.Pool, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      const out = await fn(client);
      await client.query('commit');
      return out;
    } catch (err) {
      if (err instanceof CommitThenThrow) {
        await client.query('commit');
        throw err.error;
      }
      await client.query('rollback').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}

/** Keeps the transaction's writes and still answers with an error (GoTrue's `NewCommitWithError`), e.g. revoking a token family on reuse. */
export class CommitThenThrow extends Error {
  readonly error: Error;
  constructor(error: Error) {
    super(error.message);
    this.error = error;
  }
}

/** Turns a Postgres data error (bad text such as NUL in JSON, unique violations) into the client error it is. */
export function mapDbError(err: unknown, duplicate: AuthError): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err;
  if (code === '23505') return duplicate;
  if (code.startsWith('22')) return validationFailed(`Invalid value: ${(err as Error).message}`);
  return err;
}
