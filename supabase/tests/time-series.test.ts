/** Partitions ahead and behind, retention per tier, rollups equal to raw aggregates, compaction read back by metrics_range, backtest_rule. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, superuser, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
let team: TeamFixture;
beforeAll(async () => {
  team = await createTeam(db);
});

/** Inserts one sample every 10 s for `count` samples starting at `start` with a deterministic wave. */
async function fill(hostId: string, start: Date, count: number): Promise<void> {
  await db.query(
    `insert into host_samples (host_id, ts, cpu_total, cpu_iowait, load_1, mem_total, mem_used, disk_total, disk_used,
       net_rx_bps, net_tx_bps, net_connections, uptime_s, temp_c)
     select $1, $2::timestamptz + g * interval '10 seconds', round((50 + 40 * sin(g / 7.0))::numeric, 2), (g % 5)::real,
       round((1 + (g % 13) / 10.0)::numeric, 2), 16000000000, 8000000000 + g * 4096, 500000000000, 250000000000,
       1000 * (g % 17), 500 * (g % 11), 100 + g % 3, 1000 + g * 10, round((45 + (g % 9) / 10.0)::numeric, 1)
     from generate_series(0, $3 - 1) g`,
    [hostId, start, count],
  );
}

describe('time-series storage', () => {
  it('creates partitions ahead and drops expired ones', async () => {
    const ahead = await db.query(
      `select to_regclass('public.host_samples_p' || to_char(current_date + 3, 'YYYYMMDD')) is not null as ok`,
    );
    expect(ahead.rows[0].ok).toBe(true);
    await db.query(`select private.ensure_daily_partitions('public.app_samples', '2001-01-01', '2001-01-01')`);
    await db.query(`select private.run_maintenance()`);
    const gone = await db.query(`select to_regclass('public.app_samples_p20010101') is null as ok`);
    expect(gone.rows[0].ok).toBe(true);
  });

  it('computes rollups equal to aggregates of the raw data', async () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000);
    await fill(team.hostId, hour, 360);
    await db.query(`select private.rollup_samples('minute', $1, $1::timestamptz + interval '1 hour')`, [hour]);
    await db.query(`select private.rollup_samples('hour', $1, $1::timestamptz + interval '1 hour')`, [hour]);
    const cmp = await db.query(
      `select r.bucket, r.samples, r.cpu_total_min = raw.mn as min_ok, abs(r.cpu_total_avg - raw.av) < 1e-3 as avg_ok, r.cpu_total_max = raw.mx as max_ok
       from host_samples_1m r join (
         select date_trunc('minute', ts) b, min(cpu_total) mn, avg(cpu_total) av, max(cpu_total) mx from host_samples
         where host_id = $1 and ts >= $2 and ts < $2::timestamptz + interval '1 hour' group by 1) raw on raw.b = r.bucket
       where r.host_id = $1`,
      [team.hostId, hour],
    );
    expect(cmp.rows).toHaveLength(60);
    expect(cmp.rows.every((r) => r.samples === 6 && r.min_ok && r.avg_ok && r.max_ok)).toBe(true);
    const h = await db.query(`select samples, net_rx_bps_max from host_samples_1h where host_id = $1 and bucket = $2`, [
      team.hostId,
      hour,
    ]);
    expect(h.rows[0]).toEqual({ samples: 360, net_rx_bps_max: 16000 });

    // metrics_range hands the bucket maxima of every rolled-up metric next to the averages, so charts
    // can show peaks at any range; raw rows repeat the sample as its own maximum.
    const ranged = await db.query(
      `select resolution, cpu_total, cpu_total_max, mem_percent_max, net_rx_bps, net_rx_bps_max, load_1_max, disk_write_bps_max
       from metrics_range($1, $2, $2::timestamptz + interval '1 hour', '1h')`,
      [team.hostId, hour],
    );
    expect(ranged.rows).toHaveLength(1);
    const r = ranged.rows[0];
    expect(r.resolution).toBe('1h');
    expect(r.net_rx_bps_max).toBe(16000);
    expect(r.net_rx_bps).toBeLessThan(16000);
    expect(r.cpu_total_max).toBeGreaterThan(r.cpu_total);
    expect(r.load_1_max).toBeCloseTo(2.2, 5);
    expect(r.mem_percent_max).toBeGreaterThan(50);
    expect(r).toHaveProperty('disk_write_bps_max');
    const raw = await db.query(
      `select net_rx_bps, net_rx_bps_max from metrics_range($1, $2, $2::timestamptz + interval '1 minute', 'raw')`,
      [team.hostId, hour],
    );
    expect(raw.rows.length).toBeGreaterThan(0);
    expect(raw.rows.every((x) => x.net_rx_bps === x.net_rx_bps_max)).toBe(true);
  });

  it('compacts old raw samples and metrics_range reads them back transparently', async () => {
    const host = await db.query<{ id: string }>(
      `insert into hosts (team_id, name) values ($1, 'compact-me') returning id`,
      [team.teamId],
    );
    const hostId = host.rows[0]!.id;
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 3_600_000);
    await db.query(
      `select private.ensure_daily_partitions('public.host_samples', ($1::timestamptz)::date, ($1::timestamptz)::date)`,
      [hour],
    );
    await fill(hostId, hour, 360);
    const before = await db.query(
      `select * from metrics_range($1, $2, $2::timestamptz + interval '1 hour', 'raw') order by ts`,
      [hostId, hour],
    );
    await db.query(`select private.compact_host_samples(now() - interval '1 day')`);
    const raw = await db.query(`select count(*)::int as n from host_samples where host_id = $1`, [hostId]);
    expect(raw.rows[0].n).toBe(0);
    const blob = await db.query(
      `select samples, octet_length(data) as bytes from host_samples_compact where host_id = $1`,
      [hostId],
    );
    expect(blob.rows[0].samples).toBe(360);
    expect(blob.rows[0].bytes / (360 * 26)).toBeLessThan(2);
    const after = await db.query(
      `select * from metrics_range($1, $2, $2::timestamptz + interval '1 hour', 'raw') order by ts`,
      [hostId, hour],
    );
    expect(after.rows).toHaveLength(360);
    for (let i = 0; i < 360; i++) {
      const a = after.rows[i];
      const b = before.rows[i];
      expect(a.ts.getTime()).toBe(b.ts.getTime());
      expect(a.cpu_total).toBeCloseTo(b.cpu_total, 2);
      expect(a.mem_percent).toBeCloseTo(b.mem_percent, 3);
      expect(a.net_rx_bps).toBe(b.net_rx_bps);
      expect(a.temp_c).toBeCloseTo(b.temp_c, 1);
    }
  });

  it('applies per-team retention to each tier', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    await db.query(`insert into host_samples_1m (host_id, bucket, samples) values ($1, $2, 1)`, [team.hostId, old]);
    await db.query(`insert into host_samples_1h (host_id, bucket, samples) values ($1, $2, 1)`, [team.hostId, old]);
    await db.query(`select private.run_maintenance()`);
    const left = await db.query(
      `select (select count(*) from host_samples_1m where host_id = $1 and bucket = $2)::int as m, (select count(*) from host_samples_1h where host_id = $1 and bucket = $2)::int as h`,
      [team.hostId, old],
    );
    expect(left.rows[0]).toEqual({ m: 0, h: 1 });
  });

  it('backtests a rule over stored history', async () => {
    const r = await db.query<{ id: string }>(
      `insert into alert_rules (team_id, name, metric, threshold, recovery_threshold, scope, scope_host_id, enabled)
       values ($1, 'bt', 'cpu_total', 85, 60, 'host', $2, false) returning id`,
      [team.teamId, team.hostId],
    );
    const bt = await db.query(`select event, value from backtest_rule($1, now() - interval '3 hours', now())`, [
      r.rows[0]!.id,
    ]);
    expect(bt.rows.length).toBeGreaterThan(2);
    expect(bt.rows[0].event).toBe('firing');
    expect(bt.rows[0].value).toBeGreaterThan(85);
    expect(bt.rows[1]).toMatchObject({ event: 'resolved' });
    expect(bt.rows[1].value).toBeLessThan(60);
  });
});
