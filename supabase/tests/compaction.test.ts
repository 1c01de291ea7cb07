/** Compaction format 2: decoded samples equal the raw ones within the documented quantization, nulls, gaps, merges, unknown formats. */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, superuser, uniq, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
let team: TeamFixture;
beforeAll(async () => {
  team = await createTeam(db);
});

const COLUMNS = [
  'cpu_total',
  'cpu_user',
  'cpu_system',
  'cpu_iowait',
  'cpu_steal',
  'cpu_count',
  'load_1',
  'load_5',
  'load_15',
  'mem_total',
  'mem_used',
  'mem_available',
  'swap_total',
  'swap_used',
  'disk_total',
  'disk_used',
  'disk_read_bps',
  'disk_write_bps',
  'disk_read_iops',
  'disk_write_iops',
  'net_rx_bps',
  'net_tx_bps',
  'net_connections',
  'uptime_s',
  'process_count',
  'temp_c',
] as const;
/** The compacted tier's precision (supabase/README.md): half a quantization step, plus float4 rounding. */
const STEP: Record<string, number> = {
  cpu_total: 0.01,
  cpu_user: 0.01,
  cpu_system: 0.01,
  cpu_iowait: 0.01,
  cpu_steal: 0.01,
  load_1: 0.01,
  load_5: 0.01,
  load_15: 0.01,
  mem_total: 1024,
  mem_used: 1024,
  mem_available: 1024,
  swap_total: 1024,
  swap_used: 1024,
  disk_total: 1024,
  disk_used: 1024,
  disk_read_bps: 1,
  disk_write_bps: 1,
  net_rx_bps: 1,
  net_tx_bps: 1,
  disk_read_iops: 0.1,
  disk_write_iops: 0.1,
  temp_c: 0.1,
  cpu_count: 0,
  net_connections: 0,
  uptime_s: 0,
  process_count: 0,
};

/**
 * Whole hours within the last day: other test files run private.compact_host_samples(now() - 1 day) at any
 * moment, so this file's samples stay newer than that and it compacts its own hosts (compactHost).
 */
const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 20 * 3_600_000;
const hour = (k: number) => new Date(BASE + k * 3_600_000);

/**
 * A noisy host at the agent's precision (percentages and rates 0.01, memory in KiB, disk in 4 KiB blocks,
 * temperature 0.1): `count` samples every `step` seconds from `start`, plus 0–8 ms of timer jitter.
 */
async function fill(
  client: pg.PoolClient | pg.Pool,
  hostId: string,
  start: Date,
  count: number,
  step = 10,
): Promise<void> {
  await client.query(
    `insert into host_samples (host_id, ts, cpu_total, cpu_user, cpu_system, cpu_iowait, cpu_steal, cpu_count, load_1, load_5, load_15,
       mem_total, mem_used, mem_available, swap_total, swap_used, disk_total, disk_used, disk_read_bps, disk_write_bps,
       disk_read_iops, disk_write_iops, net_rx_bps, net_tx_bps, net_connections, uptime_s, process_count, temp_c)
     select $1, w.ts, w.cpu, round((w.cpu * 0.7)::numeric, 2), round((w.cpu * 0.2)::numeric, 2), round((random() ^ 3 * 4)::numeric, 2), 0, 8,
       round((1.5 + sin(w.g / 40.0) + random() * 0.4)::numeric, 2), round((1.5 + sin(w.g / 90.0))::numeric, 2), 1.42,
       16318508::bigint * 1024, w.mem * 1024, (16318508 - w.mem) * 1024, 0, 0, 121869824::bigint * 4096, (48828125::bigint + w.g * 3) * 4096,
       round((random() ^ 8 * 3e6)::numeric, 2), round((150000 + random() * 250000)::numeric, 2),
       round((random() * 50)::numeric, 2), round((12345 + random() * 100)::numeric, 2),
       round((1e6 * (0.8 + 0.4 * random()) * case when random() < 0.02 then 40 else 1 end)::numeric, 2), round((3e5 * random())::numeric, 2),
       120 + w.g % 7, 864000 + w.g * $4, 300 + (random() * 6)::int, round((45 + random() * 2)::numeric, 1)
     from (
       select g, $2::timestamptz + g * make_interval(secs => $4) + (random() * 8)::int * interval '1 ms' as ts,
         round((40 + 20 * sin(g / 25.0) + random() * 12)::numeric, 2) as cpu,
         6291456 + sum(round((random() - 0.5) * 4096)::bigint) over (order by g) as mem
       from generate_series(0, $3 - 1) g
     ) w`,
    [hostId, start, count, step],
  );
}

async function newHost(): Promise<string> {
  const r = await db.query<{ id: string }>(`insert into hosts (team_id, name) values ($1, $2) returning id`, [
    team.teamId,
    `compact-${uniq()}`,
  ]);
  return r.rows[0]!.id;
}

type Row = Record<string, unknown>;
const rawRows = async (hostId: string): Promise<Row[]> =>
  (await db.query(`select * from host_samples where host_id = $1 order by ts`, [hostId])).rows;
const decodedRows = async (hostId: string): Promise<Row[]> =>
  (
    await db.query(
      `select d.* from host_samples_compact c cross join lateral private.decode_host_hour(c.data) d where c.host_id = $1 order by d.ts`,
      [hostId],
    )
  ).rows;

/** Every column of every row within half a quantization step (nulls stay null). */
function expectSameWithinQuantization(decoded: Row[], raw: Row[]): void {
  expect(decoded).toHaveLength(raw.length);
  raw.forEach((r, i) => {
    const d = decoded[i]!;
    expect((d.ts as Date).getTime()).toBe((r.ts as Date).getTime());
    for (const col of COLUMNS) {
      if (r[col] === null) {
        expect(d[col], `${col} of row ${i}`).toBeNull();
        continue;
      }
      const want = Number(r[col]);
      const err = Math.abs(Number(d[col]) - want);
      expect(err, `${col} of row ${i}: ${d[col]} vs ${want}`).toBeLessThanOrEqual(
        STEP[col]! / 2 + Math.abs(want) * 1e-7,
      );
    }
  });
}

/** What private.compact_host_samples does for every host and hour before its cutoff, for one host. */
async function compactHost(hostId: string): Promise<void> {
  await db.query(
    `insert into host_samples_compact as c (host_id, hour, samples, data)
     select $1, h.hour, e.samples, e.data
     from (select distinct date_trunc('hour', s.ts) as hour from host_samples s where s.host_id = $1) h
     cross join lateral private.encode_host_hour($1, h.hour) e
     on conflict (host_id, hour) do update set samples = excluded.samples, data = excluded.data`,
    [hostId],
  );
  await db.query(`delete from host_samples where host_id = $1`, [hostId]);
}

describe('compaction format 2', () => {
  it('round-trips noisy samples within the quantization and stays under 2 bytes per value', {
    timeout: 60_000,
  }, async () => {
    const hostId = await newHost();
    const client = await db.connect();
    try {
      await client.query('select setseed(0.25)');
      await fill(client, hostId, hour(0), 360);
      await fill(client, hostId, hour(1), 720, 5);
    } finally {
      client.release();
    }
    const raw = await rawRows(hostId);
    const viaRange = await db.query(`select * from metrics_range($1, $2, $3, 'raw')`, [hostId, hour(0), hour(2)]);
    await compactHost(hostId);
    expect((await rawRows(hostId)).length).toBe(0);
    const blobs = await db.query<{ samples: number; bytes: number; version: number }>(
      `select samples, octet_length(data) as bytes, get_byte(data, 0) as version from host_samples_compact where host_id = $1 order by hour`,
      [hostId],
    );
    expect(blobs.rows.map((b) => [b.samples, b.version])).toEqual([
      [360, 2],
      [720, 2],
    ]);
    const perValue = blobs.rows.reduce((s, b) => s + b.bytes, 0) / (1080 * COLUMNS.length);
    expect(perValue).toBeLessThan(2);
    expectSameWithinQuantization(await decodedRows(hostId), raw);

    // metrics_range decodes only the columns it returns; its rows equal the ones it gave before compaction.
    const after = await db.query(`select * from metrics_range($1, $2, $3, 'raw')`, [hostId, hour(0), hour(2)]);
    expect(after.rows).toHaveLength(viaRange.rows.length);
    after.rows.forEach((a, i) => {
      const b = viaRange.rows[i];
      expect(a.ts.getTime()).toBe(b.ts.getTime());
      expect(Math.abs(a.cpu_total - b.cpu_total)).toBeLessThanOrEqual(0.005 + 1e-4);
      expect(Math.abs(a.mem_percent - b.mem_percent)).toBeLessThan(1e-3);
      expect(Math.abs(a.disk_percent - b.disk_percent)).toBeLessThan(1e-3);
      expect(Math.abs(a.net_rx_bps - b.net_rx_bps)).toBeLessThanOrEqual(0.5);
      expect(a.net_connections).toBe(b.net_connections);
      expect(Math.abs(a.temp_c - b.temp_c)).toBeLessThan(1e-4);
    });
  });

  it('keeps nulls, constant and all-null columns, gaps and single samples', async () => {
    const hostId = await newHost();
    await fill(db, hostId, hour(2), 360);
    // A collector failing now and then, sensors missing, swap absent, the agent down for 13 minutes.
    await db.query(
      `update host_samples set temp_c = null where host_id = $1 and extract(second from ts)::int % 30 < 10`,
      [hostId],
    );
    await db.query(
      `update host_samples set cpu_total = null, net_rx_bps = null where host_id = $1 and ts = (select min(ts) from host_samples where host_id = $1)`,
      [hostId],
    );
    await db.query(`update host_samples set swap_total = null, swap_used = null, load_15 = null where host_id = $1`, [
      hostId,
    ]);
    await db.query(
      `delete from host_samples where host_id = $1 and ts >= $2::timestamptz + interval '20 minutes' and ts < $2::timestamptz + interval '33 minutes'`,
      [hostId, hour(2)],
    );
    // One sample alone in an hour, two in the next, huge rates in both.
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total, net_rx_bps, disk_write_bps, uptime_s) values
         ($1, $2::timestamptz + interval '17 minutes 3.217 seconds', 99.99, 123456789012.34, 0, 5),
         ($1, $3::timestamptz + interval '1 minute', 0, 0, 987654321098.76, 86400),
         ($1, $3::timestamptz + interval '59 minutes 59.999 seconds', 100, 1, 0.01, 90000)`,
      [hostId, hour(3), hour(4)],
    );
    const raw = await rawRows(hostId);
    await compactHost(hostId);
    const decoded = await decodedRows(hostId);
    expectSameWithinQuantization(decoded, raw);
    expect(decoded.filter((d) => d.temp_c === null).length).toBe(raw.filter((r) => r.temp_c === null).length);
    const samples = await db.query(`select samples from host_samples_compact where host_id = $1 order by hour`, [
      hostId,
    ]);
    expect(samples.rows.map((r) => r.samples)).toEqual([raw.length - 3, 1, 2]);
  });

  it('merges a late sample into its compacted hour', async () => {
    const hostId = await newHost();
    await fill(db, hostId, hour(5), 100);
    await compactHost(hostId);
    const late = new Date(hour(5).getTime() + 3_000_000);
    await db.query(
      `insert into host_samples (host_id, ts, cpu_total, mem_total, mem_used) values ($1, $2, 12.34, 1048576, 524288)`,
      [hostId, late],
    );
    await compactHost(hostId);
    const decoded = await decodedRows(hostId);
    expect(decoded).toHaveLength(101);
    expect(decoded[100]).toMatchObject({ ts: late, cpu_total: 12.34, mem_used: '524288', mem_percent: 50 });
    expect((await rawRows(hostId)).length).toBe(0);
  });

  it('decodes only the asked columns, and refuses blobs in any format but 2', async () => {
    const hostId = await newHost();
    await fill(db, hostId, hour(6), 50);
    await compactHost(hostId);
    const some = await db.query(
      `select d.ts, d.cpu_total, d.cpu_user, d.mem_percent from host_samples_compact c
       cross join lateral private.decode_host_hour(c.data, '{1,2,11,12}') d where c.host_id = $1`,
      [hostId],
    );
    expect(some.rows).toHaveLength(50);
    expect(
      some.rows.every(
        (r) => r.ts instanceof Date && typeof r.cpu_total === 'number' && r.cpu_user === null && r.mem_percent > 0,
      ),
    ).toBe(true);

    // Only format 2 was ever written: any other version byte is refused with a clear error.
    await expect(db.query(`select * from private.decode_host_hour('\\x0103'::bytea)`)).rejects.toThrow(
      'Cannot decode compacted samples: unknown format version 1',
    );
    const empty = await db.query(`select * from private.encode_host_hour($1, $2)`, [hostId, hour(8)]);
    expect(empty.rows).toEqual([]);
  });

  it("serves compacted hours to a team member through metrics_range (the decoder runs with the caller's rights)", {
    timeout: 60_000,
  }, async () => {
    const hostId = await newHost();
    await fill(db, hostId, hour(4), 120);
    await compactHost(hostId);
    const { data, error } = await clientWith(team.viewerToken).rpc('metrics_range', {
      p_host_id: hostId,
      p_from: hour(4).toISOString(),
      p_to: hour(5).toISOString(),
      p_resolution: 'raw',
    });
    expect(error).toBeNull();
    expect(data).toHaveLength(120);
  });
});
