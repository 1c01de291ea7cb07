import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startReceiver, type Receiver } from './net-receiver.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const env = inject('stack');
const tag = randomBytes(4).toString('hex');
let db: pg.Client;
let receiver: Receiver;

interface Response {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean | null;
  error_msg: string | null;
}

async function responseOf(id: string, timeoutMs = 5000): Promise<Response> {
  return waitFor(
    async () =>
      (
        await db.query<Response>(
          'select id::text, status_code, content_type, headers, content, timed_out, error_msg from net._http_response where id = $1',
          [id],
        )
      ).rows[0],
    { message: `a response recorded for request ${id}`, timeoutMs, intervalMs: 20 },
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await db.connect();
  receiver = await startReceiver();
});

afterAll(async () => {
  await db.end();
  await receiver.close();
});

describe('pg_net emulation', () => {
  it('sends net.http_post only after its transaction commits, with the exact body and headers', async () => {
    const path = `/commit-${tag}`;
    await db.query('begin');
    const { rows } = await db.query<{ id: string }>(
      `select net.http_post(url := $1, body := '{"hello": "world", "n": [1, 2]}'::jsonb,
                            headers := '{"Content-Type": "application/json", "X-Vibe-Test": "commit"}'::jsonb)::text as id`,
      [receiver.url(path)],
    );
    await sleep(1000);
    expect(receiver.requests.filter((r) => r.path === path)).toHaveLength(0);
    await db.query('commit');
    const req = await receiver.waitFor((r) => r.path === path);
    expect(req.method).toBe('POST');
    expect(req.body).toBe('{"n": [1, 2], "hello": "world"}'); // jsonb's text form, as pg_net sends it
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-vibe-test']).toBe('commit');
    expect(req.headers['user-agent']).toMatch(/^pg_net\//);

    const res = await responseOf(rows[0]!.id);
    expect(res.status_code).toBe(200);
    expect(res.content_type).toBe('application/json');
    expect(JSON.parse(res.content!)).toEqual({ received: path });
    expect(res.headers!['X-Receiver']).toBe('yes');
    expect(res.timed_out).toBe(false);
    expect(res.error_msg).toBeNull();
    // The queue row is gone once the response is written.
    const queued = await db.query('select 1 from net.http_request_queue where id = $1', [rows[0]!.id]);
    expect(queued.rowCount).toBe(0);
  });

  it('never sends a request whose transaction rolled back', async () => {
    const path = `/rollback-${tag}`;
    await db.query('begin');
    const { rows } = await db.query<{ id: string }>('select net.http_post($1)::text as id', [receiver.url(path)]);
    await db.query('rollback');
    // A committed request sent afterwards arrives; the rolled-back one never does.
    const after = `/after-rollback-${tag}`;
    await db.query('select net.http_post($1)', [receiver.url(after)]);
    await receiver.waitFor((r) => r.path === after);
    await sleep(1000);
    expect(receiver.requests.filter((r) => r.path === path)).toHaveLength(0);
    const recorded = await db.query('select 1 from net._http_response where id = $1', [rows[0]!.id]);
    expect(recorded.rowCount).toBe(0);
  });

  it("records a timeout as timed_out with pg_net's message", async () => {
    const { rows } = await db.query<{ id: string }>(
      'select net.http_get($1, timeout_milliseconds := 300)::text as id',
      [receiver.url(`/slow/2000/${tag}`)],
    );
    const res = await responseOf(rows[0]!.id);
    expect(res.timed_out).toBe(true);
    expect(res.status_code).toBeNull();
    expect(res.error_msg).toMatch(/^Timeout of 300 ms reached\. Total time: \d+\.\d+ ms \(DNS time: /);
  });

  it('records a connection failure as an error', async () => {
    const { rows } = await db.query<{ id: string }>(
      "select net.http_get('http://127.0.0.1:1/nothing-listens')::text as id",
    );
    const res = await responseOf(rows[0]!.id);
    expect(res.timed_out).toBe(false);
    expect(res.error_msg).toBe("Couldn't connect to server");
  });

  it('encodes params into the query string and sends GET and DELETE', async () => {
    const { rows } = await db.query<{ get: string; del: string }>(
      `select net.http_get($1, params := '{"q": "a b&c", "é": "1"}')::text as get,
              net.http_delete($2, headers := '{"X-Del": "1"}', body := '{"gone": true}')::text as del`,
      [receiver.url(`/get-${tag}?x=1`), receiver.url(`/created-${tag}`)],
    );
    const get = await receiver.waitFor((r) => r.path.startsWith(`/get-${tag}`));
    expect(get.method).toBe('GET');
    expect(get.path).toBe(`/get-${tag}?x=1&q=a%20b%26c&%C3%A9=1`);
    const del = await receiver.waitFor((r) => r.path === `/created-${tag}`);
    expect(del.method).toBe('DELETE');
    expect(del.headers['x-del']).toBe('1');
    expect(del.body).toBe('{"gone": true}');
    expect((await responseOf(rows[0]!.get)).status_code).toBe(200);
    expect((await responseOf(rows[0]!.del)).status_code).toBe(201);
  });

  it('follows redirects as curl does: POST becomes GET after a 302, a 307 keeps method and body', async () => {
    const { rows } = await db.query<{ a: string; b: string }>(
      `select net.http_post($1, '{"x": 1}')::text as a, net.http_post($2, '{"y": 2}')::text as b`,
      [receiver.url(`/redirect/302/landed-a-${tag}`), receiver.url(`/redirect/307/landed-b-${tag}`)],
    );
    const a = await receiver.waitFor((r) => r.path === `/landed-a-${tag}`);
    const b = await receiver.waitFor((r) => r.path === `/landed-b-${tag}`);
    expect([a.method, a.body]).toEqual(['GET', '']);
    expect([b.method, b.body]).toEqual(['POST', '{"y": 2}']);
    expect((await responseOf(rows[0]!.a)).status_code).toBe(200);
    expect((await responseOf(rows[0]!.b)).status_code).toBe(200);
  });

  it('rejects what pg_net rejects when the request is made', async () => {
    await expect(db.query(`select net.http_post('not a url')`)).rejects.toThrow('invalid URL "not a url"');
    await expect(
      db.query(`select net.http_post($1, headers := '{"Content-Type": "text/plain"}')`, [receiver.url('/x')]),
    ).rejects.toThrow('Content-Type header must be "application/json"');
  });

  it('lets API roles call net.http_post and net.http_get, as the webhook grants do on Supabase', async () => {
    const path = `/anon-${tag}`;
    await db.query('begin');
    await db.query('set local role anon');
    await db.query('select net.http_post($1)', [receiver.url(path)]);
    await db.query('commit');
    await receiver.waitFor((r) => r.path === path);
    await expect(db.query('select net.check_worker_is_up()')).resolves.toBeDefined();
  });

  it('bounds the number of requests in flight and delivers them all', async () => {
    const ids = await db.query<{ id: string }>(
      `select net.http_get($1 || i, timeout_milliseconds := 10000)::text as id from generate_series(1, 60) as i`,
      [receiver.url(`/slow/300/burst-${tag}-`)],
    );
    for (const { id } of ids.rows) expect((await responseOf(id, 10000)).status_code).toBe(200);
    const burst = receiver.requests.filter((r) => r.path.includes(`burst-${tag}-`));
    expect(burst).toHaveLength(60);
    const inFlight = burst.map((r) => r.activePaths.filter((p) => p.includes(`burst-${tag}-`)).length);
    expect(Math.max(...inFlight)).toBeLessThanOrEqual(32);
    expect(Math.max(...inFlight)).toBeGreaterThan(1); // sent concurrently, not one by one
  });

  it('prunes responses older than pg_net.ttl (6 hours by default)', async () => {
    const old = -Number.parseInt(tag, 16) - 1;
    await db.query(
      `insert into net._http_response (id, status_code, created) values ($1, 200, now() - interval '7 hours'), ($2, 200, now() - interval '5 hours')`,
      [old, old - 1],
    );
    await sleep(1100); // the worker prunes at most once a second, when it drains the queue
    const { rows } = await db.query<{ id: string }>('select net.http_get($1)::text as id', [
      receiver.url(`/prune-${tag}`),
    ]);
    await responseOf(rows[0]!.id);
    const left = await db.query<{ id: string }>('select id::text from net._http_response where id in ($1, $2)', [
      old,
      old - 1,
    ]);
    expect(left.rows.map((r) => Number(r.id))).toEqual([old - 1]);
    await db.query('delete from net._http_response where id = $1', [old - 1]);
  });
});
