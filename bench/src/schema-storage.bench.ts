/**
 * Schema benchmarks (issue 4): ingest of 1,000-row batches with triggers and RLS on vs off, bytes per
 * stored value raw vs compacted (whole relations, on a realistic host model), metrics_range over compacted
 * hours vs raw rows, and metrics_range over 30 days vs 1 hour for one host.
 */
import pg from 'pg';
import { percentile, report } from './harness.ts';
import { REALISTIC_SQL } from './host-model.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const log = (m: string) => process.stderr.write(`[schema bench] ${m}\n`);
const stack = await freshStack();
log('stack up');
const db = new pg.Pool({ connectionString: stack.env.SUPABASE_DB_URL, max: 2 });
try {
  const team = await db.query<{ id: string }>(`insert into teams (name) values ('bench') returning id`);
  const teamId = team.rows[0]!.id;
  const user = await db.query<{ id: string }>(
    `insert into auth.users (email) values ('bench-agent@bench.local') returning id`,
  );
  const agentId = user.rows[0]!.id;
  const host = await db.query<{ id: string }>(
    `insert into hosts (team_id, name, agent_user_id) values ($1, 'bench-1', $2) returning id`,
    [teamId, agentId],
  );
  const hostId = host.rows[0]!.id;
  await db.query(
    `insert into alert_rules (team_id, name, metric, threshold) values ($1, 'cpu', 'cpu_total', 99.5), ($1, 'mem', 'mem_percent', 99.5)`,
    [teamId],
  );
  const claims = JSON.stringify({
    sub: agentId,
    role: 'authenticated',
    app_metadata: { vibe_role: 'agent', host_id: hostId, team_id: teamId },
  });

  // Realistic sample rows: noisy gauges at agent precision, slowly moving sizes, counters.
  const batchSql = `insert into host_samples (host_id, ts, cpu_total, cpu_user, cpu_system, cpu_iowait, cpu_steal, cpu_count,
      load_1, load_5, load_15, mem_total, mem_used, mem_available, swap_total, swap_used, disk_total, disk_used,
      disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops, net_rx_bps, net_tx_bps, net_connections,
      uptime_s, process_count, temp_c)
    select $1, $2::timestamptz + g * interval '10 seconds',
      round((35 + 15 * sin(g / 30.0) + random() * 4)::numeric, 1), round((25 + random() * 3)::numeric, 1),
      round((8 + random() * 2)::numeric, 1), round((random() * 1.5)::numeric, 1), 0, 8,
      round((1.5 + sin(g / 60.0) + random() * 0.2)::numeric, 2), round((1.4 + sin(g / 120.0) * 0.5)::numeric, 2),
      round((1.3 + sin(g / 360.0) * 0.2)::numeric, 2), 17179869184, 8589934592 + (sin(g / 50.0) * 268435456)::bigint + (random() * 4194304)::bigint,
      7516192768, 4294967296, 134217728, 512110190592, 256055095296 + g * 65536,
      round(20000 + random() * 5000), round(150000 + random() * 30000), round((5 + random() * 2)::numeric, 1),
      round((30 + random() * 5)::numeric, 1), round(120000 + random() * 30000), round(60000 + random() * 15000),
      180 + (random() * 6)::int, 864000 + g * 10, 312 + (random() * 2)::int, round((52 + sin(g / 90.0) * 3)::numeric, 1)
    from generate_series(0, $3 - 1) g`;

  // 1) Ingest ratio: as the agent (RLS + statement triggers) vs as superuser with user triggers off.
  const client = await db.connect();
  const runs: { on: number[]; off: number[] } = { on: [], off: [] };
  // Six days back (partitions exist for the last seven); every batch is rolled back.
  let t0 = Date.now() - 6 * 86_400_000;
  try {
    for (let i = 0; i < 16; i++) {
      for (const mode of (i % 2 ? ['on', 'off'] : ['off', 'on']) as ('on' | 'off')[]) {
        const start = new Date((t0 += 10_000 * 1000));
        await client.query('begin');
        if (mode === 'on') {
          await client.query(
            `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`,
            [claims],
          );
        } else {
          await client.query("set local lock_timeout = '10s'");
          await client.query('alter table host_samples disable trigger user');
        }
        const s = process.hrtime.bigint();
        await client.query(batchSql, [hostId, start, 1000]);
        const ms = Number(process.hrtime.bigint() - s) / 1e6;
        if (mode === 'off') await client.query('alter table host_samples enable trigger user');
        await client.query('rollback');
        if (i >= 2) runs[mode].push(ms);
      }
    }
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
  log('ingest measured');
  const ingestRatio = percentile(runs.on, 50) / percentile(runs.off, 50);

  /** Median latency of `runs` executions after 5 warm-up runs. */
  const time = async (sql: string, params: unknown[], runs = 20) => {
    const xs: number[] = [];
    for (let i = 0; i < runs + 5; i++) {
      const s = process.hrtime.bigint();
      await db.query(sql, params);
      if (i >= 5) xs.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    return percentile(xs, 50);
  };

  // 2) Bytes per value of compacted storage, on a realistic host model (REALISTIC_SQL above): four hosts, two
  // sampling every 10 s and two every 5 s, 24 whole hours each, two days old; raw first, then compacted.
  const dayStart = Math.floor((Date.now() - 2 * 86_400_000) / 3_600_000) * 3_600_000 - 12 * 3_600_000;
  await db.query(
    `select private.ensure_daily_partitions('public.host_samples', ($1::timestamptz)::date - 1, ($1::timestamptz)::date + 2)`,
    [new Date(dayStart)],
  );
  const modelHosts: { id: string; interval: number }[] = [];
  for (const [i, interval] of [10, 10, 5, 5].entries()) {
    const h = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
      teamId,
      `model-${i}`,
    ]);
    modelHosts.push({ id: h.rows[0]!.id, interval });
  }
  const seeded = await db.connect();
  try {
    await seeded.query('select setseed(0.4242)');
    for (const h of modelHosts)
      await seeded.query(REALISTIC_SQL, [h.id, new Date(dayStart), 86_400 / h.interval, h.interval]);
  } finally {
    seeded.release();
  }
  await db.query('vacuum analyze host_samples');
  const VALUES_PER_ROW = 26;
  const ids = modelHosts.map((h) => h.id);
  // Only the partitions holding the model's days (the ingest runs above left dead rows in an older one).
  const rawBytes = await db.query<{ b: string; n: string }>(
    `select sum(pg_total_relation_size(p.part)) as b, sum(p.n) as n
     from (select tableoid as part, count(*) as n from host_samples where host_id = any ($1::uuid[]) group by tableoid) p`,
    [ids],
  );
  const rawPerValue = Number(rawBytes.rows[0]!.b) / (Number(rawBytes.rows[0]!.n) * VALUES_PER_ROW);

  // metrics_range over raw rows of 3 hours (and 1 hour), to compare with the same range once compacted.
  const rangeHost = modelHosts[2]!.id; // a 5-second host: the most samples per hour
  const rangeFrom = new Date(dayStart + 6 * 3_600_000);
  const forced = `select count(*) from metrics_range($1, $2, $3, 'raw')`;
  const rawRange3h = await time(forced, [rangeHost, rangeFrom, new Date(rangeFrom.getTime() + 3 * 3_600_000)], 10);
  const before = await db.query(`select * from metrics_range($1, $2, $3, 'raw')`, [
    rangeHost,
    rangeFrom,
    new Date(rangeFrom.getTime() + 3 * 3_600_000),
  ]);

  const compactStart = process.hrtime.bigint();
  const hours = await db.query<{ n: number }>(`select private.compact_host_samples(now() - interval '1 day') as n`);
  const compactMs = Number(process.hrtime.bigint() - compactStart) / 1e6;
  await db.query('vacuum analyze host_samples_compact');
  const compact = await db.query<{ b: string; n: string; blob: string }>(
    `select pg_total_relation_size('public.host_samples_compact') as b, sum(samples) as n, sum(octet_length(data)) as blob
     from host_samples_compact where host_id = any ($1::uuid[])`,
    [ids],
  );
  log(`compacted ${hours.rows[0]!.n} host-hours in ${compactMs.toFixed(0)} ms`);
  const compactRows = Number(compact.rows[0]!.n);
  const compactPerValue = Number(compact.rows[0]!.b) / (compactRows * VALUES_PER_ROW);
  const blobPerValue = Number(compact.rows[0]!.blob) / (compactRows * VALUES_PER_ROW);
  const compactRange3h = await time(forced, [rangeHost, rangeFrom, new Date(rangeFrom.getTime() + 3 * 3_600_000)], 10);
  const compactRange1h = await time(forced, [rangeHost, rangeFrom, new Date(rangeFrom.getTime() + 3_600_000)], 10);
  const after = await db.query(`select * from metrics_range($1, $2, $3, 'raw')`, [
    rangeHost,
    rangeFrom,
    new Date(rangeFrom.getTime() + 3 * 3_600_000),
  ]);
  if (after.rows.length !== before.rows.length)
    throw new Error(`metrics_range lost rows in compaction: ${before.rows.length} before, ${after.rows.length} after`);

  // 3) metrics_range: one host with 30 days of data (1h and 1m rollups for 30 days, raw for the last hour).
  const now = Date.now();
  await db.query(
    `insert into host_samples_1h (host_id, bucket, samples, cpu_total_avg, cpu_total_max, mem_percent_avg)
     select $1, date_trunc('hour', now()) - g * interval '1 hour', 360, 40, 60, 50 from generate_series(1, 720) g`,
    [hostId],
  );
  await db.query(
    `insert into host_samples_1m (host_id, bucket, samples, cpu_total_avg, cpu_total_max, mem_percent_avg)
     select $1, date_trunc('minute', now()) - g * interval '1 minute', 6, 40, 60, 50 from generate_series(1, 43200) g`,
    [hostId],
  );
  await db.query(batchSql, [hostId, new Date(now - 3_600_000), 355]);
  await db.query('analyze');
  const q = `select count(*) from metrics_range($1, $2, $3)`;
  log('range data ready');
  const month = await time(q, [hostId, new Date(now - 30 * 86_400_000), new Date(now)]);
  const hour = await time(q, [hostId, new Date(now - 3_600_000), new Date(now)]);

  report([
    {
      figure: 'Ingest 1,000-row batch, triggers+RLS on / off (median)',
      value: ingestRatio,
      unit: '×',
      goal: '≤ 1.3',
      met: ingestRatio <= 1.3,
      issue: 4,
    },
    {
      figure: 'Raw host samples, bytes per stored value (realistic host model)',
      value: rawPerValue,
      unit: 'B',
      goal: '',
      met: null,
      issue: 4,
    },
    {
      figure: 'Compacted host samples incl. TOAST, indexes, FSM/VM, bytes per stored value',
      value: compactPerValue,
      unit: 'B',
      goal: '≤ 2',
      met: compactPerValue <= 2,
      issue: 4,
    },
    {
      figure: 'Compacted blobs alone, bytes per stored value',
      value: blobPerValue,
      unit: 'B',
      goal: '',
      met: null,
      issue: 4,
    },
    {
      figure: 'metrics_range raw 3 h, compacted / raw rows (median latency)',
      value: compactRange3h / rawRange3h,
      unit: '×',
      goal: '',
      met: null,
      issue: 4,
    },
    {
      figure: 'metrics_range 30 days / 1 hour (median latency)',
      value: month / hour,
      unit: '×',
      goal: '≤ 2',
      met: month / hour <= 2,
      issue: 4,
    },
  ]);
  process.stdout.write(
    `ingest on ${percentile(runs.on, 50).toFixed(1)} ms, off ${percentile(runs.off, 50).toFixed(1)} ms; ` +
      `compaction ${(compactMs / hours.rows[0]!.n).toFixed(1)} ms per host-hour (${compactRows} samples); ` +
      `metrics_range raw 3 h: ${rawRange3h.toFixed(1)} ms from raw rows, ${compactRange3h.toFixed(1)} ms compacted (1 h: ${compactRange1h.toFixed(1)} ms); ` +
      `30 d ${month.toFixed(2)} ms, 1 h ${hour.toFixed(2)} ms\n`,
  );
} finally {
  await db.end();
  await stack.stop();
}
