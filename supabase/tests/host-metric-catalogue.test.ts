/**
 * The host metric catalogue drives every metric list: adding one metric (its column and one catalogue row,
 * then private.generate_host_metric_code()) makes it rolled up, compacted, returned by metrics_range and
 * accepted by alert rules, while blobs written before it still decode. Runs on a fresh database, since it
 * changes the schema.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostedDatabase, pushMigrations, type FreshDatabase } from '../../testkit/src/fresh-database.ts';
import { env } from './helpers.ts';

let fresh: FreshDatabase;
let db: pg.Client;

beforeAll(async () => {
  fresh = await hostedDatabase(env.SUPABASE_DB_URL, 'catalogue');
  db = fresh.client;
  await pushMigrations(fresh.url);
}, 240_000);
afterAll(async () => {
  await fresh?.drop();
});

describe('host metric catalogue', () => {
  it('lists the twelve rolled-up metrics in the rollups, metrics_range and the anomaly rule check', async () => {
    const rolled = await db.query<{ name: string }>(
      `select name from private.host_metrics where rollup_type is not null order by ord`,
    );
    expect(rolled.rows.map((r) => r.name)).toEqual([
      'cpu_total',
      'cpu_iowait',
      'load_1',
      'mem_percent',
      'swap_percent',
      'disk_percent',
      'disk_read_bps',
      'disk_write_bps',
      'net_rx_bps',
      'net_tx_bps',
      'net_connections',
      'temp_c',
    ]);
    const cols = await db.query<{ n: number }>(
      `select count(*)::int as n from information_schema.columns where table_schema = 'public' and table_name = 'host_samples_1m' and column_name ~ '_(min|avg|max)$'`,
    );
    expect(cols.rows[0]!.n).toBe(36);
  });

  it('adds a metric with one catalogue row and its column, and old blobs still decode', {
    timeout: 60_000,
  }, async () => {
    const team = (await db.query<{ id: string }>(`insert into public.teams (name) values ('catalogue') returning id`))
      .rows[0]!.id;
    const host = (
      await db.query<{ id: string }>(`insert into public.hosts (team_id, name) values ($1, 'gpu-box') returning id`, [
        team,
      ])
    ).rows[0]!.id;
    const hourAgo = (h: number) => `date_trunc('hour', now()) - interval '${h} hours'`;
    // An hour compacted before the metric exists.
    await db.query(
      `insert into public.host_samples (host_id, ts, cpu_total) select $1, ${hourAgo(30)} + i * interval '10 seconds', 10 + i % 7 from generate_series(0, 359) i`,
      [host],
    );
    await db.query(`select private.compact_host_samples(now() - interval '1 day')`);

    await db.query(`alter table public.host_samples add column gpu_percent real`);
    await db.query(`alter table public.host_latest add column gpu_percent real`);
    await db.query(`insert into private.host_metrics (name, ord, value_type, compact_column, step, rollup_type, alertable)
      values ('gpu_percent', 30, 'real', 28, 0.01, 'real', true)`);
    await db.query(`call private.generate_host_metric_code()`);

    await db.query(
      `insert into public.host_samples (host_id, ts, cpu_total, gpu_percent)
       select $1, ${hourAgo(29)} + i * interval '10 seconds', 20, 40 + (i % 10) * 0.37 from generate_series(0, 359) i`,
      [host],
    );
    await db.query(`select private.rollup_samples('minute', now() - interval '31 hours', now() - interval '27 hours')`);
    const rollup = await db.query(
      `select gpu_percent_min, gpu_percent_max from public.host_samples_1m where host_id = $1 and bucket = ${hourAgo(29)}`,
      [host],
    );
    expect(rollup.rows).toEqual([{ gpu_percent_min: 40, gpu_percent_max: 41.85 }]);
    await db.query(`select private.compact_host_samples(now() - interval '1 day')`);
    expect(
      (await db.query(`select count(*)::int as n from public.host_samples where host_id = $1`, [host])).rows[0].n,
    ).toBe(0);

    const raw = await db.query<{ ts: Date; cpu_total: number; gpu_percent: number | null }>(
      `select ts, cpu_total, gpu_percent from public.metrics_range($1, ${hourAgo(30)}, ${hourAgo(28)}, 'raw')`,
      [host],
    );
    expect(raw.rows).toHaveLength(720);
    expect(raw.rows.slice(0, 360).every((r) => r.gpu_percent === null && r.cpu_total >= 10)).toBe(true);
    expect(raw.rows.slice(360).map((r) => r.gpu_percent)).toEqual(
      Array.from({ length: 360 }, (_, i) => Number((40 + (i % 10) * 0.37).toFixed(2))),
    );
    const minute = await db.query(
      `select gpu_percent from public.metrics_range($1, ${hourAgo(29)}, ${hourAgo(29)} + interval '1 minute', '1m')`,
      [host],
    );
    expect(minute.rows).toHaveLength(1);
    expect(minute.rows[0].gpu_percent).toBeCloseTo(40.925, 2);

    await db.query(
      `insert into public.alert_rules (team_id, name, metric, threshold) values ($1, 'GPU hot', 'gpu_percent', 90)`,
      [team],
    );
    await db.query(
      `insert into public.alert_rules (team_id, name, kind, metric, threshold) values ($1, 'GPU odd', 'anomaly', 'gpu_percent', 0.5)`,
      [team],
    );
    await expect(
      db.query(`insert into public.alert_rules (team_id, name, metric, threshold) values ($1, 'x', 'gpu_temp', 1)`, [
        team,
      ]),
    ).rejects.toThrow(/alert_rules_metric_known/);
    const inputs = await db.query(`select jsonb_array_length(public.anomaly_inputs()) as n`);
    expect(inputs.rows[0].n).toBe(1);
  });
});
