/** A new database in the test stack's Postgres holding only the hosted bootstrap and, on request, every migration. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { cliDbUrl, runSupabaseCli } from '../../stack/src/supabase-cli.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

/** A fresh database: its URL, a connected superuser client, and how to drop it. */
export interface FreshDatabase {
  url: string;
  client: pg.Client;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` next to the stack's database and runs fixtures/hosted-bootstrap.sql in it. */
export async function hostedDatabase(stackDbUrl: string, prefix: string): Promise<FreshDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const admin = new pg.Client({ connectionString: stackDbUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(stackDbUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(readFileSync(path.join(root, 'tests', 'system', 'fixtures', 'hosted-bootstrap.sql'), 'utf8'));
  return {
    url,
    client,
    async drop() {
      await client.end().catch(() => {});
      const a = new pg.Client({ connectionString: stackDbUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** Applies every migration with the real CLI (`supabase db push`), as a deployment does. */
export async function pushMigrations(url: string): Promise<string> {
  return runSupabaseCli(root, ['db', 'push', '--db-url', cliDbUrl(url), '--include-all', '--yes']);
}
