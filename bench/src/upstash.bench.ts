/** Upstash endpoint overhead: a pipeline of 100 SETs through /upstash with @upstash/redis, divided by the same 100 SETs pipelined straight to a redis-server. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from '@upstash/redis';
import { RedisClient } from '../../stack/src/redis/client.ts';
import { findRedisServer, RedisProcess } from '../../stack/src/redis/server-process.ts';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const SETS = 100;
const WARMUP = 30;
const REPS = Number(process.env.BENCH_REPS ?? 400);
// A cache entry the size the dashboard stores: one host snapshot as JSON.
const value = {
  host: 'web-1',
  ts: '2026-01-01T00:00:00Z',
  cpu: 0.42,
  load: [0.5, 0.4, 0.3],
  mem: { used: 123456789, total: 987654321 },
  disks: [{ mount: '/', used: 0.61 }],
};
const text = JSON.stringify(value);

const stack = await freshStack();
const bin = findRedisServer();
if (!bin) throw new Error('redis-server is not installed: the baseline needs one (apt-get install redis-server)');
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-bench-redis-'));
// The baseline: the same redis-server binary and settings as the stack's, reached over RESP from this process.
const direct = new RedisProcess({ bin, dir, password: 'bench' });
try {
  await direct.start();
  const client = new RedisClient({ host: '127.0.0.1', port: direct.port, password: 'bench' });
  const redis = new Redis({
    url: stack.env.UPSTASH_REDIS_REST_URL,
    token: stack.env.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
  });

  async function viaEndpoint(rep: number): Promise<number> {
    const p = redis.pipeline();
    for (let i = 0; i < SETS; i++) p.set(`bench:${rep % 10}:${i}`, value);
    const t0 = performance.now();
    const out = await p.exec();
    const ms = performance.now() - t0;
    if (out.length !== SETS || out[0] !== 'OK') throw new Error(`unexpected pipeline result ${JSON.stringify(out[0])}`);
    return ms;
  }

  async function viaResp(rep: number): Promise<number> {
    const commands = Array.from({ length: SETS }, (_, i) => ['SET', `bench:${rep % 10}:${i}`, text]);
    const t0 = performance.now();
    const out = await client.batch(commands);
    const ms = performance.now() - t0;
    if (out.length !== SETS || out[0] !== 'OK') throw new Error(`unexpected RESP result ${String(out[0])}`);
    return ms;
  }

  for (let i = 0; i < WARMUP; i++) {
    await viaEndpoint(i);
    await viaResp(i);
  }
  const endpoint: number[] = [];
  const resp: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < REPS; i++) {
    // Alternate which goes first so drift in machine load hits both alike.
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await viaEndpoint(i);
      b = await viaResp(i);
    } else {
      b = await viaResp(i);
      a = await viaEndpoint(i);
    }
    endpoint.push(a);
    resp.push(b);
    ratios.push(a / b);
  }
  await client.close();
  process.stdout.write(`${REPS} repetitions of ${SETS} pipelined SETs (${text.length}-byte JSON values)\n`);
  process.stdout.write(
    `endpoint p50 ${percentile(endpoint, 50).toFixed(3)} ms, p95 ${percentile(endpoint, 95).toFixed(3)} ms; direct RESP p50 ${percentile(resp, 50).toFixed(3)} ms, p95 ${percentile(resp, 95).toFixed(3)} ms\n`,
  );
  report([
    {
      figure: 'Upstash endpoint: pipeline of 100 SETs, time vs plain RESP client (median ratio)',
      value: percentile(ratios, 50),
      unit: '×',
      goal: '',
      met: null,
      issue: 3,
    },
    {
      figure: 'Upstash endpoint: pipeline of 100 SETs via @upstash/redis (p50)',
      value: percentile(endpoint, 50),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 3,
    },
    {
      figure: 'Plain RESP client: pipeline of 100 SETs (p50)',
      value: percentile(resp, 50),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 3,
    },
  ]);
} finally {
  await direct.stop();
  await fs.rm(dir, { recursive: true, force: true });
  await stack.stop();
}
