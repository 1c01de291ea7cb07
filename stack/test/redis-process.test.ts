/** The Upstash endpoint's backends on their own (no shared stack): the redis-server child's life cycle, REDIS_URL, and the in-process fallback. */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from '@upstash/redis';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackContext } from '../src/context.ts';
import { parseRedisUrl, RedisClient } from '../src/redis/client.ts';
import { startRedis, type RedisServer } from '../src/redis/index.ts';
import { findRedisServer, RedisProcess } from '../src/redis/server-process.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { isAlive } from '../../testkit/src/process.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
});

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-redis-'));
  cleanup.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

function fakeContext(dataDir: string): StackContext {
  return { config: { dataDir }, keys: { secrets: { jwtSecret: `secret-${dataDir}` } } } as unknown as StackContext;
}

/** Serves the endpoint on its own HTTP port, the way the gateway mounts it. */
async function mount(server: RedisServer): Promise<{ url: string; redis: Redis }> {
  const srv = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://local');
    await server.service(
      {
        method: req.method ?? 'GET',
        path: url.pathname,
        url,
        headers: req.headers,
        body: Buffer.concat(chunks),
        raw: req,
      },
      res,
    );
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => (srv.close(resolve), srv.closeAllConnections())));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { url, redis: new Redis({ url, token: server.token, enableTelemetry: false, retry: false }) };
}

describe('redis-server child', () => {
  it('is found on this machine', () => {
    expect(findRedisServer()).toMatch(/redis-server$/);
  });

  it('starts with a stable derived token and stops without leaving an orphan', async () => {
    const ctx = fakeContext(await tempDir());
    const server = await startRedis(ctx);
    expect(server.backend).toBe('redis-server');
    const pid = server.pid()!;
    expect(isAlive(pid)).toBe(true);
    const { redis } = await mount(server);
    expect(await redis.set('k', 'v')).toBe('OK');
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    const again = await startRedis(ctx);
    cleanup.push(() => again.stop());
    expect(again.token).toBe(server.token);
    expect(again.token).toMatch(/^[\w-]{40,}$/);
    await again.stop();
  });

  it('restarts redis-server when it dies: 503 meanwhile, then recovers by itself', async () => {
    const lines: string[] = [];
    const server = await startRedis(fakeContext(await tempDir()), { log: (l) => lines.push(l) });
    cleanup.push(() => server.stop());
    const { url, redis } = await mount(server);
    await redis.set('before', 1);
    const pid = server.pid()!;
    process.kill(pid, 'SIGKILL');
    // The restart waits 250 ms first, so this request meets the dead server.
    const during = await fetch(`${url}/get/before`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(during.status).toBe(503);
    expect(((await during.json()) as { error: string }).error).toMatch(/^ERR Redis is unavailable.*retry/);
    await waitFor(
      async () => (await fetch(`${url}/ping`, { headers: { authorization: `Bearer ${server.token}` } })).status === 200,
      { timeoutMs: 5000 },
    );
    expect(server.pid()).not.toBe(pid);
    expect(await redis.incr('after')).toBe(1);
    await waitFor(async () => /exited unexpectedly[\s\S]*restarted on port \d+/.test(lines.join('\n')), {
      timeoutMs: 2000,
    });
    const newPid = server.pid()!;
    await server.stop();
    expect(isAlive(newPid)).toBe(false);
  });

  it('takes redis-server down with it when the process exits without stop()', async () => {
    const dataDir = await tempDir();
    const script = `
      import { startRedis } from ${JSON.stringify(path.resolve(import.meta.dirname, '../src/redis/index.ts'))};
      const server = await startRedis({ config: { dataDir: ${JSON.stringify(dataDir)} }, keys: { secrets: { jwtSecret: 'x' } } });
      console.log(server.pid());
      process.exit(3);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(3);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    await waitFor(async () => !isAlive(pid), { timeoutMs: 2000 });
  });

  it('ends a redis-server left behind by a stack that was killed', async () => {
    const dataDir = await tempDir();
    const dir = path.join(dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const stale = spawn(
      findRedisServer()!,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--dir',
        dir,
        '--pidfile',
        path.join(dir, 'redis-server.pid'),
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    cleanup.push(async () => stale.kill('SIGKILL'));
    const probe = new RedisClient({ host: '127.0.0.1', port });
    await waitFor(async () => (await probe.command(['PING']).catch(() => null)) === 'PONG', { timeoutMs: 5000 });
    await probe.close();
    await waitFor(async () => (await fs.stat(path.join(dir, 'redis-server.pid')).catch(() => null)) !== null, {
      timeoutMs: 2000,
    });
    const exited = new Promise((resolve) => stale.once('exit', resolve));
    const server = await startRedis(fakeContext(dataDir));
    cleanup.push(() => server.stop());
    await exited;
    expect(isAlive(stale.pid!)).toBe(false);
    expect(server.pid()).not.toBe(stale.pid);
    await server.stop();
  });
});

describe('REDIS_URL', () => {
  it('uses an existing Redis (password and database number from the URL) instead of starting one', async () => {
    const dir = await tempDir();
    const existing = new RedisProcess({ bin: findRedisServer()!, dir, password: 'p@ss word' });
    await existing.start();
    cleanup.push(() => existing.stop());
    const server = await startRedis(fakeContext(await tempDir()), {
      redisUrl: `redis://:${encodeURIComponent('p@ss word')}@127.0.0.1:${existing.port}/3`,
    });
    cleanup.push(() => server.stop());
    expect(server.backend).toBe('redis-url');
    expect(server.pid()).toBeUndefined();
    const { redis } = await mount(server);
    await redis.set('via-url', { ok: 1 });
    const direct = new RedisClient({ host: '127.0.0.1', port: existing.port, password: 'p@ss word', db: 3 });
    expect((await direct.command(['GET', 'via-url']))?.toString()).toBe('{"ok":1}');
    await direct.close();
    await server.stop();
    // Stopping the endpoint leaves someone else's Redis running.
    expect(isAlive(existing.pid!)).toBe(true);
  });

  it('explains a malformed REDIS_URL', () => {
    expect(() => parseRedisUrl('http://localhost:6379')).toThrow(/scheme must be redis:\/\/ or rediss:\/\//);
    expect(parseRedisUrl('rediss://u:p@example.com:6380/2')).toEqual({
      host: 'example.com',
      port: 6380,
      tls: true,
      username: 'u',
      password: 'p',
      db: 2,
    });
  });
});

describe('in-process fallback', () => {
  it('is announced with a warning and serves the common commands through @upstash/redis', async () => {
    const lines: string[] = [];
    const server = await startRedis(fakeContext(await tempDir()), {
      redisServerBin: null,
      redisUrl: '',
      log: (l) => lines.push(l),
    });
    cleanup.push(() => server.stop());
    expect(server.backend).toBe('memory');
    expect(lines.join('\n')).toMatch(/WARNING: .*in-process store/);
    const { url, redis } = await mount(server);
    await redis.set('s', { a: 1 }, { ex: 100 });
    expect(await redis.get('s')).toEqual({ a: 1 });
    expect(await redis.ttl('s')).toBeGreaterThan(95);
    await redis.set('gone', 'x', { px: 50 });
    await new Promise((r) => setTimeout(r, 120));
    expect(await redis.get('gone')).toBeNull();
    await redis.mset({ m1: 1, m2: 'two' });
    expect(await redis.mget('m1', 'm2', 'm3')).toEqual([1, 'two', null]);
    await redis.hset('h', { f: 'v', n: 1 });
    expect(await redis.hincrby('h', 'n', 2)).toBe(3);
    expect(await redis.hgetall('h')).toEqual({ f: 'v', n: 3 });
    await redis.zadd('z', { score: 2, member: 'b' }, { score: 1.5, member: 'a' });
    expect(await redis.zrange('z', 0, -1, { withScores: true })).toEqual(['a', 1.5, 'b', 2]);
    expect(await redis.rpush('l', 'x', 'y')).toBe(2);
    expect(await redis.lrange('l', 0, -1)).toEqual(['x', 'y']);
    await expect(redis.incr('s')).rejects.toThrow(/ERR value is not an integer or out of range/);
    await expect(redis.lpush('s', 'x')).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.pipeline().incr('c').incr('c').get('c').exec()).toEqual([1, 2, 2]);
    expect(await redis.multi().set('t', 1).incr('t').exec()).toEqual(['OK', 2]);
    const discarded = await fetch(`${url}/multi-exec`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}` },
      body: JSON.stringify([['set', 't2', 1], ['nosuch']]),
    });
    expect(discarded.status).toBe(400);
    expect(await redis.exists('t2')).toBe(0);
    expect(await redis.keys('m*')).toEqual(expect.arrayContaining(['m1', 'm2']));
  });
});
