import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startReceiver, type Receiver } from './net-receiver.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const env = inject('stack');
const tag = randomBytes(4).toString('hex');
const table = `webhook_items_${tag}`;
const hook = `items_webhook_${tag}`;
let db: pg.Client;
let receiver: Receiver;

beforeAll(async () => {
  db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await db.connect();
  receiver = await startReceiver();
  // What the Dashboard (or a migration) creates for a Database Webhook.
  await db.query(`create table public.${table} (id bigint primary key, name text, tags text[])`);
  await db.query(`grant insert, update, delete, select on public.${table} to anon`);
  await db.query(
    `create trigger ${hook} after insert or update or delete on public.${table}
       for each row execute function supabase_functions.http_request(
         '${receiver.url(`/hook-${tag}`)}', 'POST', '{"Content-Type":"application/json","X-Webhook":"${tag}"}', '{}', '1000')`,
  );
});

afterAll(async () => {
  await db.query(`drop table if exists public.${table}`);
  await db.end();
  await receiver.close();
});

describe('Database Webhooks (supabase_functions.http_request)', () => {
  it('posts {type, table, schema, record, old_record} for insert, update and delete', async () => {
    await db.query(`insert into public.${table} values (1, 'first', '{a,b}')`);
    await db.query(`update public.${table} set name = 'renamed' where id = 1`);
    await db.query(`delete from public.${table} where id = 1`);
    const hooks = await receiver.waitFor((r) => r.path === `/hook-${tag}` && JSON.parse(r.body).type === 'DELETE');
    const bodies = receiver.requests.filter((r) => r.path === `/hook-${tag}`).map((r) => JSON.parse(r.body));
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
    expect(byType.INSERT).toEqual({
      type: 'INSERT',
      table,
      schema: 'public',
      record: { id: 1, name: 'first', tags: ['a', 'b'] },
      old_record: null,
    });
    expect(byType.UPDATE).toEqual({
      type: 'UPDATE',
      table,
      schema: 'public',
      record: { id: 1, name: 'renamed', tags: ['a', 'b'] },
      old_record: { id: 1, name: 'first', tags: ['a', 'b'] },
    });
    expect(byType.DELETE).toEqual({
      type: 'DELETE',
      table,
      schema: 'public',
      record: null,
      old_record: { id: 1, name: 'renamed', tags: ['a', 'b'] },
    });
    expect(hooks.headers['x-webhook']).toBe(tag);
    expect(hooks.headers['content-type']).toBe('application/json');
  });

  it('logs each call in supabase_functions.hooks with its pg_net request id and response', async () => {
    await db.query(`insert into public.${table} values (2, 'logged', null)`);
    const { rows } = await db.query<{ hook_name: string; request_id: string; table_ok: boolean }>(
      `select hook_name, request_id::text, hook_table_id = $2::regclass::oid::int as table_ok
         from supabase_functions.hooks where hook_name = $1 order by id desc limit 1`,
      [hook, `public.${table}`],
    );
    expect(rows[0]!.table_ok).toBe(true);
    await receiver.waitFor((r) => r.path === `/hook-${tag}` && JSON.parse(r.body).record?.id === 2);
    const status = await waitFor(
      async () =>
        (
          await db.query<{ status_code: number }>('select status_code from net._http_response where id = $1', [
            rows[0]!.request_id,
          ])
        ).rows[0]?.status_code,
      { message: 'the hook response', timeoutMs: 5000, intervalMs: 20 },
    );
    expect(status).toBe(200);
  });

  it('fires for API roles too, and not for a rolled-back change', async () => {
    await db.query('begin');
    await db.query('set local role anon');
    await db.query(`insert into public.${table} values (3, 'from anon', null)`);
    await db.query('commit');
    await db.query('begin');
    await db.query(`insert into public.${table} values (4, 'rolled back', null)`);
    await db.query('rollback');
    await receiver.waitFor((r) => r.path === `/hook-${tag}` && JSON.parse(r.body).record?.id === 3);
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.requests.some((r) => r.path === `/hook-${tag}` && JSON.parse(r.body).record?.id === 4)).toBe(false);
  });

  it('rejects a webhook without a URL, as the CLI function does', async () => {
    const other = `webhook_bad_${tag}`;
    await db.query(`create table public.${other} (id int)`);
    await db.query(
      `create trigger bad after insert on public.${other} for each row execute function supabase_functions.http_request()`,
    );
    await expect(db.query(`insert into public.${other} values (1)`)).rejects.toThrow('url argument is missing');
    await db.query(`drop table public.${other}`);
  });
});
