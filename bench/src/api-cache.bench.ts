/**
 * GET /api/monitoring/servers served from the Upstash cache divided by the same request with the team's
 * cache entry deleted first (so it reads host_status from Postgres under RLS and refills the cache).
 * Built web app (node build), a team of HOSTS hosts each with a latest sample, bearer-token requests.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from '@upstash/redis';
import { teamServersKey } from '../../supabase/functions/_shared/cache-keys.ts';
import { insertSamples, newTeam, newUser, sample, serviceClient } from '../../web/test/api-fixtures.ts';
import { startWeb } from '../../testkit/src/web-server.ts';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 500);
const REPS = Number(process.env.BENCH_REPS ?? 150);
const WARMUP = 20;

const stack = await freshStack();
const web = await startWeb(stack.env);
try {
  const user = await newUser(stack.env, 'bench');
  const teamId = await newTeam(user, 'Bench team');
  const hosts = Array.from({ length: HOSTS }, (_, i) => ({
    id: randomUUID(),
    team_id: teamId,
    name: `host ${String(i).padStart(4, '0')}`,
    sample_interval_s: 3600,
  }));
  const { error } = await serviceClient(stack.env).from('hosts').insert(hosts);
  if (error) throw new Error(`Cannot create hosts: ${error.message}`);
  await insertSamples(
    stack.env,
    hosts.map((h, i) => sample(h.id, new Date(Date.now() - 1000), { cpu_total: i % 100 })),
  );

  const redis = new Redis({
    url: stack.env.UPSTASH_REDIS_REST_URL,
    token: stack.env.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
  });
  const key = teamServersKey(teamId);
  const headers = { authorization: `Bearer ${user.token}`, 'accept-encoding': 'gzip, br' };

  /** One timed request; undefined when the cache state was not the one wanted (cache-snapshots may refill it). */
  async function timed(want: 'hit' | 'miss'): Promise<number | undefined> {
    if (want === 'miss') await redis.del(key);
    const t0 = performance.now();
    const res = await fetch(`${web.url}/api/monitoring/servers`, { headers });
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`GET /api/monitoring/servers answered ${res.status}`);
    return res.headers.get('x-cache') === want ? ms : undefined;
  }

  for (let i = 0; i < WARMUP; i++) await timed(i % 2 ? 'hit' : 'miss');
  const hit: number[] = [];
  const miss: number[] = [];
  // Alternate so both sides see the same machine load.
  for (let i = 0; i < REPS; i++) {
    const m = await timed('miss');
    if (m !== undefined) miss.push(m);
    const h = await timed('hit');
    if (h !== undefined) hit.push(h);
  }
  const ratio = percentile(hit, 50) / percentile(miss, 50);
  process.stdout.write(
    `${HOSTS} hosts: cached p50 ${percentile(hit, 50).toFixed(2)} ms (p95 ${percentile(hit, 95).toFixed(2)}), uncached p50 ${percentile(miss, 50).toFixed(2)} ms (p95 ${percentile(miss, 95).toFixed(2)}); ${hit.length}/${miss.length} samples\n`,
  );
  report([
    {
      figure: `/api/monitoring/servers cached / uncached (p50, ${HOSTS} hosts)`,
      value: ratio,
      unit: 'ratio',
      goal: '≤ 0.2',
      met: ratio <= 0.2,
      issue: 8,
    },
    {
      figure: `/api/monitoring/servers cached p50 (${HOSTS} hosts)`,
      value: percentile(hit, 50),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 8,
    },
    {
      figure: `/api/monitoring/servers uncached p50 (${HOSTS} hosts)`,
      value: percentile(miss, 50),
      unit: 'ms',
      goal: '',
      met: null,
      issue: 8,
    },
  ]);
} finally {
  await web.stop();
  await stack.stop();
}
