/**
 * Redis stopped under the web API: /api/monitoring/* keeps answering from Postgres (slower, with fresh data),
 * and when Redis comes back (empty) the cache refills by itself: a miss, then hits.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshStack } from '../../../testkit/src/fresh-stack.ts';
import type { RunningStack } from '../../../stack/src/stack.ts';
import { freePort } from '../../../testkit/src/free-port.ts';
import { newHost, newTeam, newUser, type TestUser } from '../../../web/test/api-fixtures.ts';
import { startWeb, type RunningWeb } from '../../../testkit/src/web-server.ts';
import { ThrowawayRedis } from './redis-server.ts';

let redis: ThrowawayRedis;
let stack: RunningStack;
let web: RunningWeb;
let user: TestUser;
let teamId = '';

beforeAll(async () => {
  redis = new ThrowawayRedis(await freePort());
  await redis.start();
  // This file runs in its own process: the stack's Upstash endpoint fronts the redis-server above.
  process.env.REDIS_URL = redis.url;
  stack = await freshStack();
  user = await newUser(stack.env, 'redis-fault');
  teamId = await newTeam(user, `redis-fault-${Date.now()}`);
  await newHost(user, teamId, 'before-outage', 'before-outage');
  web = await startWeb(stack.env);
}, 600_000);
afterAll(async () => {
  await web?.stop();
  await stack?.stop();
  await redis?.stop();
});

async function servers(): Promise<{ status: number; cache: string | null; names: string[]; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${web.url}/api/monitoring/servers`, { headers: { authorization: `Bearer ${user.token}` } });
  const body = (await res.json()) as { servers?: { name: string }[] };
  return {
    status: res.status,
    cache: res.headers.get('x-cache'),
    names: (body.servers ?? []).map((s) => s.name).sort(),
    ms: performance.now() - t0,
  };
}

describe('Redis stopped', () => {
  it('answers from Postgres while Redis is down and refills the cache when it returns', {
    timeout: 180_000,
  }, async () => {
    const cold = await servers();
    expect(cold).toMatchObject({ status: 200, cache: 'miss', names: ['before-outage'] });
    const warm = await servers();
    expect(warm).toMatchObject({ status: 200, cache: 'hit' });
    expect(Number(await redis.cli('dbsize'))).toBeGreaterThan(0);

    await redis.stop();
    const db = new pg.Client({ connectionString: stack.env.SUPABASE_DB_URL });
    await db.connect();
    await db.query(`insert into public.hosts (team_id, name) values ($1, 'during-outage')`, [teamId]);
    await db.end();
    const down = [await servers(), await servers(), await servers()];
    for (const r of down) {
      expect(r.status).toBe(200);
      expect(r.cache).toBe('miss');
      expect(r.names).toEqual(['before-outage', 'during-outage']);
    }

    await redis.start();
    expect(await redis.cli('dbsize')).toBe('0');
    const refill = await servers();
    expect(refill).toMatchObject({ status: 200, cache: 'miss', names: ['before-outage', 'during-outage'] });
    const again = await servers();
    expect(again).toMatchObject({ status: 200, cache: 'hit', names: ['before-outage', 'during-outage'] });
    expect(Number(await redis.cli('dbsize'))).toBeGreaterThan(0);
    process.stdout.write(
      `redis stopped: API answered in ${down.map((r) => Math.round(r.ms)).join(', ')} ms from Postgres (warm hit ${Math.round(warm.ms)} ms); refilled on return\n`,
    );
  });
});
