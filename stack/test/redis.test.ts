/** The Upstash endpoint of the shared test stack, driven by the real @upstash/redis client (and raw HTTP where the SDK cannot reach). */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { Redis } from '@upstash/redis';
import { describe, expect, inject, it } from 'vitest';

const env = inject('stack');
const url = env.UPSTASH_REDIS_REST_URL;
const token = env.UPSTASH_REDIS_REST_TOKEN;
const P = `t-redis-${randomUUID().slice(0, 8)}:`;
const redis = new Redis({ url, token, enableTelemetry: false });

function raw(path: string, init: RequestInit & { base64?: boolean; auth?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.auth !== null) headers.set('authorization', `Bearer ${init.auth ?? token}`);
  if (init.base64) headers.set('upstash-encoding', 'base64');
  return fetch(`${url}${path}`, { ...init, headers });
}

describe('Upstash endpoint with @upstash/redis', () => {
  it('is served by a real redis-server the stack runs under its data directory', async () => {
    const info = await redis.exec<string>(['info', 'server']);
    expect(info).toMatch(/redis_version:7\./);
    // redis-server rewrites its title to "redis-server 127.0.0.1:<port>" and runs inside its --dir.
    const mine = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readlinkSync(`/proc/${d}/cwd`) === path.join(env.DATA_DIR, 'redis');
        } catch {
          return false;
        }
      })
      .map((d) => readFileSync(`/proc/${d}/cmdline`, 'utf8'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/redis-server 127\.0\.0\.1:\d+/);
  });

  it('sets strings with a TTL, reports ttl/pttl, and expires them', async () => {
    expect(await redis.set(`${P}ttl`, 'v', { ex: 100 })).toBe('OK');
    const ttl = await redis.ttl(`${P}ttl`);
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    const pttl = await redis.pttl(`${P}ttl`);
    expect(pttl).toBeGreaterThan(95000);
    expect(pttl).toBeLessThanOrEqual(100000);
    expect(await redis.ttl(`${P}missing`)).toBe(-2);
    await redis.set(`${P}short`, 'gone soon', { px: 150 });
    expect(await redis.get(`${P}short`)).toBe('gone soon');
    await new Promise((r) => setTimeout(r, 400));
    expect(await redis.get(`${P}short`)).toBeNull();
    expect(await redis.exists(`${P}short`)).toBe(0);
  });

  it('round-trips JSON values (the client serialises objects) and numbers', async () => {
    const doc = { host: 'web-1', cpu: [0.5, 0.25], nested: { ok: true, none: null }, label: 'ü' };
    await redis.set(`${P}json`, doc);
    expect(await redis.get(`${P}json`)).toEqual(doc);
    await redis.set(`${P}num`, 42);
    expect(await redis.get(`${P}num`)).toBe(42);
    await redis.set(`${P}numstr`, '007');
    expect(await redis.get(`${P}numstr`)).toBe('007');
  });

  it('MSET and MGET', async () => {
    expect(await redis.mset({ [`${P}m1`]: 'a', [`${P}m2`]: { b: 2 } })).toBe('OK');
    expect(await redis.mget(`${P}m1`, `${P}m2`, `${P}m3`)).toEqual(['a', { b: 2 }, null]);
  });

  it('hashes', async () => {
    const key = `${P}hash`;
    expect(await redis.hset(key, { name: 'db-1', port: 5432, meta: { region: 'eu' } })).toBe(3);
    expect(await redis.hget(key, 'name')).toBe('db-1');
    expect(await redis.hincrby(key, 'port', 1)).toBe(5433);
    expect(await redis.hgetall(key)).toEqual({ name: 'db-1', port: 5433, meta: { region: 'eu' } });
    expect(await redis.hdel(key, 'meta')).toBe(1);
    expect(await redis.hkeys(key)).toEqual(['name', 'port']);
    expect(await redis.hgetall(`${P}nohash`)).toBeNull();
  });

  it('sorted sets with scores', async () => {
    const key = `${P}zset`;
    expect(
      await redis.zadd(key, { score: 2.5, member: 'b' }, { score: 1, member: 'a' }, { score: 10, member: 'c' }),
    ).toBe(3);
    expect(await redis.zrange(key, 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await redis.zrange(key, 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 2.5, 'c', 10]);
    expect(await redis.zrange(key, 0, 0, { rev: true })).toEqual(['c']);
    expect(await redis.zrange(key, 2, 10, { byScore: true })).toEqual(['b', 'c']);
    expect(await redis.zscore(key, 'b')).toBe(2.5);
    expect(await redis.zincrby(key, 0.5, 'a')).toBe(1.5);
    expect(await redis.zcard(key)).toBe(3);
  });

  it('lists', async () => {
    const key = `${P}list`;
    expect(await redis.rpush(key, 'x', 'y')).toBe(2);
    expect(await redis.lpush(key, 'w')).toBe(3);
    expect(await redis.lrange(key, 0, -1)).toEqual(['w', 'x', 'y']);
    expect(await redis.lpop(key)).toBe('w');
    expect(await redis.llen(key)).toBe(2);
  });

  it('INCR, INCRBY, DECR', async () => {
    expect(await redis.incr(`${P}ctr`)).toBe(1);
    expect(await redis.incrby(`${P}ctr`, 10)).toBe(11);
    expect(await redis.decr(`${P}ctr`)).toBe(10);
  });

  it("an error: INCR on a non-integer string throws with Redis's message", async () => {
    await redis.set(`${P}notint`, 'abc');
    await expect(redis.incr(`${P}notint`)).rejects.toThrow(/ERR value is not an integer or out of range/);
    const res = await raw('/', { method: 'POST', body: JSON.stringify(['incr', `${P}notint`]) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'ERR value is not an integer or out of range' });
  });

  it('pipelines: results in order, errors inline with keepErrors, throws without', async () => {
    const p = redis.pipeline();
    p.set(`${P}p1`, 'one').incr(`${P}p2`).get(`${P}p1`).hset(`${P}p3`, { a: 1 }).hgetall(`${P}p3`);
    expect(await p.exec()).toEqual(['OK', 1, 'one', 1, { a: 1 }]);
    const bad = redis.pipeline().set(`${P}p4`, 'x').incr(`${P}p4`).get(`${P}p4`);
    await expect(bad.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an integer/);
    const kept = await redis.pipeline().incr(`${P}p4`).get(`${P}p4`).exec({ keepErrors: true });
    expect(kept[0]!.error).toMatch(/not an integer/);
    expect(kept[1]).toEqual({ error: undefined, result: 'x' });
  });

  it('transactions run atomically and keep Redis semantics for errors inside', async () => {
    const tx = redis.multi().set(`${P}t1`, 5).incr(`${P}t1`).get(`${P}t1`);
    expect(await tx.exec()).toEqual(['OK', 6, 6]);
    // A runtime error does not stop the transaction (as in Redis and Upstash): later commands still run.
    const failing = redis.multi().set(`${P}t2`, 'text').incr(`${P}t2`).set(`${P}t3`, 'after');
    await expect(failing.exec()).rejects.toThrow(/Command 2 \[ incr \] failed/);
    expect(await redis.get(`${P}t3`)).toBe('after');
    // A command Redis cannot queue discards the whole transaction: one {error}, nothing ran.
    const discarded = await raw('/multi-exec', {
      method: 'POST',
      body: JSON.stringify([
        ['set', `${P}t4`, 'x'],
        ['nosuchcommand', 'a'],
      ]),
    });
    expect(discarded.status).toBe(400);
    expect(((await discarded.json()) as { error: string }).error).toMatch(
      /^ERR unknown command 'nosuchcommand'.*transaction discarded/,
    );
    const refused = await raw('/multi-exec', {
      method: 'POST',
      body: JSON.stringify([
        ['set', `${P}t4`, 'x'],
        ['config', 'get', '*'],
      ]),
    });
    expect(refused.status).toBe(400);
    expect(await redis.exists(`${P}t4`)).toBe(0);
  });

  it('a transaction is not interleaved with concurrent commands', async () => {
    const key = `${P}atomic`;
    await redis.set(key, 0);
    const txs = Array.from({ length: 20 }, () => redis.multi().incr(key).incr(key).get(key).exec());
    const others = Array.from({ length: 20 }, () => redis.incr(key));
    const results = await Promise.all(txs);
    await Promise.all(others);
    for (const [a, b, c] of results as number[][]) {
      expect(b).toBe(a! + 1);
      expect(c).toBe(b);
    }
    expect(await redis.get(key)).toBe(60);
  });

  it('rejects a wrong or missing token with 401', async () => {
    const wrong = new Redis({ url, token: 'not-the-token', enableTelemetry: false });
    await expect(wrong.get(`${P}x`)).rejects.toThrow(/WRONGPASS/);
    const none = await raw('/get/x', { auth: null });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toMatch(/^Unauthorized/);
    const bad = await raw('/get/x', { auth: 'nope' });
    expect(bad.status).toBe(401);
    expect(await raw(`/get/x?_token=${encodeURIComponent(token)}`, { auth: null }).then((r) => r.status)).toBe(200);
  });

  it('base64 response encoding on and off', async () => {
    await redis.set(`${P}b64`, 'hello');
    const on = await raw('/', { method: 'POST', base64: true, body: JSON.stringify(['get', `${P}b64`]) });
    expect(await on.json()).toEqual({ result: Buffer.from('hello').toString('base64') });
    const status = await raw('/', { method: 'POST', base64: true, body: JSON.stringify(['set', `${P}b64`, 'hello']) });
    expect(await status.json()).toEqual({ result: 'OK' }); // the one string left as it is
    const pong = await raw('/ping', { base64: true });
    expect(await pong.json()).toEqual({ result: Buffer.from('PONG').toString('base64') });
    const arr = await raw('/pipeline', {
      method: 'POST',
      base64: true,
      body: JSON.stringify([
        ['mget', `${P}b64`, `${P}none`],
        ['strlen', `${P}b64`],
      ]),
    });
    expect(await arr.json()).toEqual([{ result: [Buffer.from('hello').toString('base64'), null] }, { result: 5 }]);
    const off = await raw('/', { method: 'POST', body: JSON.stringify(['get', `${P}b64`]) });
    expect(await off.json()).toEqual({ result: 'hello' });
    const plain = new Redis({ url, token, responseEncoding: false, enableTelemetry: false });
    await plain.set(`${P}plain`, { text: 'ünïcödé ✓' });
    expect(await plain.get(`${P}plain`)).toEqual({ text: 'ünïcödé ✓' });
    expect(await plain.zrange(`${P}zset`, 0, 0, { withScores: true })).toHaveLength(2);
  });

  it('auto-pipelining on (default) batches concurrent commands; off sends them one by one', async () => {
    // pipelineCounter is served by the client's auto-pipelining proxy; its typings do not declare it.
    const auto = new Redis({ url, token, enableTelemetry: false, enableAutoPipelining: true }) as Redis & {
      pipelineCounter: number;
    };
    const before = auto.pipelineCounter;
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) => auto.set(`${P}ap${i}`, i).then(() => auto.get(`${P}ap${i}`))),
    );
    expect(values).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(auto.pipelineCounter - before).toBeLessThanOrEqual(4);
    const single = new Redis({ url, token, enableTelemetry: false, enableAutoPipelining: false });
    expect(await Promise.all(Array.from({ length: 5 }, (_, i) => single.get(`${P}ap${i}`)))).toEqual([0, 1, 2, 3, 4]);
    await expect(single.incr(`${P}notint`)).rejects.toThrow(/not an integer/);
  });

  it('keeps unicode and binary values intact', async () => {
    const text = 'Grüße, 世界 👋 \u0000 nul and "quotes"';
    await redis.set(`${P}uni`, text);
    expect(await redis.get(`${P}uni`)).toBe(text);
    // Raw bytes that are not UTF-8, posted as a path-style body and read back through base64.
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0x41]);
    const put = await raw(`/set/${encodeURIComponent(`${P}bin`)}`, { method: 'POST', body: bytes });
    expect(await put.json()).toEqual({ result: 'OK' });
    const got = (await (await raw(`/get/${encodeURIComponent(`${P}bin`)}`, { base64: true })).json()) as {
      result: string;
    };
    expect(Buffer.from(got.result, 'base64').equals(bytes)).toBe(true);
    expect(await redis.strlen(`${P}bin`)).toBe(bytes.length);
    // A binary key through %XX escapes.
    const binKey = `${encodeURIComponent(P)}%C0%FFkey`;
    await raw(`/set/${binKey}/v`);
    expect(await (await raw(`/exists/${binKey}`)).json()).toEqual({ result: 1 });
  });

  it('path-style commands: segments, POST body as the last argument, query parameters after it', async () => {
    expect(await (await raw(`/set/${P}path/bar`)).json()).toEqual({ result: 'OK' });
    expect(await (await raw(`/get/${P}path`)).json()).toEqual({ result: 'bar' });
    expect(await (await raw(`/SET/${P}path2?EX=100`, { method: 'POST', body: '{"a":1}' })).json()).toEqual({
      result: 'OK',
    });
    expect(await redis.get(`${P}path2`)).toEqual({ a: 1 });
    expect(await redis.ttl(`${P}path2`)).toBeGreaterThan(90);
    expect(await (await raw(`/zadd/${P}pz/1/one/2/two`)).json()).toEqual({ result: 2 });
    const head = await raw(`/get/${P}path`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await raw(`/get/${P}path`, { method: 'DELETE' })).status).toBe(405);
    const empty = await raw('/', { method: 'GET' });
    expect(empty.status).toBe(400);
  });

  it('advances the upstash-sync-token and never returns one older than the client sent', async () => {
    const a = Number((await raw('/ping')).headers.get('upstash-sync-token'));
    const b = Number((await raw('/ping')).headers.get('upstash-sync-token'));
    expect(b).toBeGreaterThan(a);
    const ahead = await raw('/ping', { headers: { 'upstash-sync-token': String(b + 1000) } });
    expect(Number(ahead.headers.get('upstash-sync-token'))).toBeGreaterThan(b + 1000);
  });

  it('refuses blocking, subscription, connection and admin commands with a clear error', async () => {
    for (const cmd of [
      ['blpop', `${P}q`, '0'],
      ['subscribe', 'ch'],
      ['monitor'],
      ['select', '1'],
      ['config', 'get', 'dir'],
      ['shutdown'],
      ['debug', 'sleep', '0'],
      ['replicaof', 'no', 'one'],
      ['multi'],
      ['xread', 'block', '0', 'streams', 's', '$'],
    ]) {
      const res = await raw('/', { method: 'POST', body: JSON.stringify(cmd) });
      expect(res.status, cmd[0]).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(
        new RegExp(`^ERR Command is not available: '${cmd[0]}`),
      );
    }
    // Inside a pipeline the refusal is inline and the rest still runs.
    const res = await raw('/pipeline', {
      method: 'POST',
      body: JSON.stringify([
        ['subscribe', 'x'],
        ['echo', 'still here'],
      ]),
    });
    const body = (await res.json()) as { error?: string; result?: string }[];
    expect(body[0]!.error).toMatch(/not available/);
    expect(body[1]).toEqual({ result: 'still here' });
    expect(await redis.exec(['publish', `${P}chan`, 'hi'])).toBe(0);
  });

  it('answers malformed bodies with 400 and an error saying what to send', async () => {
    const notJson = await raw('/', { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/JSON/);
    const notArray = await raw('/pipeline', { method: 'POST', body: JSON.stringify({ cmd: 'get' }) });
    expect(notArray.status).toBe(400);
    const badArg = await raw('/', { method: 'POST', body: JSON.stringify(['set', 'k', { a: 1 }]) });
    expect(((await badArg.json()) as { error: string }).error).toMatch(/argument 3 .* string or a number/);
  });
});
