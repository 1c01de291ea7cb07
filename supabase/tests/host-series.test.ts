/**
 * Mount, disk, interface and container rows: fanned out from host_samples.detail by the insert trigger, as the
 * agent sends them (its own row builder and upsert), exactly once under replay, readable only by the host's team,
 * rolled up, compacted and broadcast (top processes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFLICT_KEYS, hostSampleRow } from '../../agent/src/send/rows.ts';
import { client as realtimeClient, closeClients, Inbox, subscribe } from '../../stack/test/realtime-helpers.ts';
import type { HostSample } from '../../agent/src/sample.ts';
import { clientWith, createTeam, superuser, type TeamFixture } from './helpers.ts';

const db = superuser();
afterAll(async () => {
  await closeClients();
  await db.end();
});
let t1: TeamFixture;
let t2: TeamFixture;
beforeAll(async () => {
  [t1, t2] = await Promise.all([createTeam(db), createTeam(db)]);
});

const CID = 'ab'.repeat(32);
const TABLES = ['host_mount_samples', 'host_disk_samples', 'host_interface_samples', 'container_samples'] as const;

/** A sample as the collectors produce it: two mounts, one disk, two interfaces, one container, two processes. */
function sample(ts: Date, used: number): HostSample {
  return {
    ts: ts.toISOString(),
    errors: {},
    cpu: { totalPct: 10, userPct: 5, systemPct: 5, iowaitPct: 0, stealPct: 0, perCorePct: [10] },
    disk: {
      totalBytes: 3000,
      usedBytes: used + 100,
      usedPct: 0,
      mounts: [
        {
          mount: '/',
          device: '/dev/sda1',
          fstype: 'ext4',
          totalBytes: 2000,
          usedBytes: used,
          availableBytes: 2000 - used,
          usedPct: 0,
          inodesUsedPct: 4.5,
        },
        {
          mount: '/var/lib/postgresql',
          device: '/dev/sdb1',
          fstype: 'xfs',
          totalBytes: 1000,
          usedBytes: 100,
          availableBytes: 900,
          usedPct: 10,
          inodesUsedPct: null,
        },
      ],
    },
    diskIo: {
      readBytesPerSec: 4096,
      writeBytesPerSec: 8192,
      devices: [
        {
          device: 'sda',
          readBytesPerSec: 4096,
          writeBytesPerSec: 8192,
          readsPerSec: 1,
          writesPerSec: 2,
          utilPct: 12.5,
        },
      ],
    },
    network: {
      rxBytesPerSec: 300,
      txBytesPerSec: 30,
      interfaces: [
        {
          name: 'eth0',
          rxBytesPerSec: 100,
          txBytesPerSec: 10,
          rxPacketsPerSec: 1,
          txPacketsPerSec: 1,
          rxErrorsPerSec: 0,
          txErrorsPerSec: 0,
        },
        {
          name: 'eth1',
          rxBytesPerSec: 200,
          txBytesPerSec: 20,
          rxPacketsPerSec: 2,
          txPacketsPerSec: 2,
          rxErrorsPerSec: 0.5,
          txErrorsPerSec: 0,
        },
      ],
    },
    containers: [
      {
        id: CID,
        name: 'web',
        image: 'nginx:1.27',
        cpuPct: 150,
        memUsedBytes: 1 << 20,
        memLimitBytes: 4 << 20,
        blkReadBytesPerSec: 1,
        blkWriteBytesPerSec: 2,
        netRxBytesPerSec: 3,
        netTxBytesPerSec: null,
        pids: 5,
      },
    ],
    topProcesses: [
      { pid: 42, name: 'postgres', user: 'postgres', cpu: 55.5, rss: 1 << 24 },
      { pid: 7, name: 'node', user: 'app', cpu: 1, rss: 1 << 26 },
    ],
  };
}

async function counts(hostId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const r = await db.query<{ n: number }>(`select count(*)::int n from public.${t} where host_id = $1`, [hostId]);
    out[t] = r.rows[0]!.n;
  }
  return out;
}

describe('host series', () => {
  it('fans an agent batch out into rows, exactly once under replay, readable only by the host team', async () => {
    const agent = clientWith(t1.agentToken);
    const now = Date.now();
    const rows = [
      hostSampleRow(t1.hostId, sample(new Date(now - 20_000), 500)),
      hostSampleRow(t1.hostId, sample(new Date(now - 10_000), 600)),
    ];
    const send = () =>
      agent.from('host_samples').upsert(
        rows.map((r) => r.row),
        { onConflict: CONFLICT_KEYS.host_samples, ignoreDuplicates: true },
      );
    expect((await send()).error).toBeNull();
    const want = { host_mount_samples: 4, host_disk_samples: 2, host_interface_samples: 4, container_samples: 2 };
    expect(await counts(t1.hostId)).toEqual(want);
    // A replay after an outage (the agent resends what it may not have seen acknowledged).
    expect((await send()).error).toBeNull();
    expect(await counts(t1.hostId)).toEqual(want);

    const viewer = clientWith(t1.viewerToken);
    const { data: mounts } = await viewer
      .from('host_mount_samples')
      .select('mount, device, fstype, total, used, available, percent, inodes_percent')
      .eq('host_id', t1.hostId)
      .eq('ts', new Date(now - 10_000).toISOString());
    expect(mounts?.sort((a, b) => a.mount.localeCompare(b.mount))).toEqual([
      {
        mount: '/',
        device: '/dev/sda1',
        fstype: 'ext4',
        total: 2000,
        used: 600,
        available: 1400,
        percent: 30,
        inodes_percent: 4.5,
      },
      {
        mount: '/var/lib/postgresql',
        device: '/dev/sdb1',
        fstype: 'xfs',
        total: 1000,
        used: 100,
        available: 900,
        percent: 10,
        inodes_percent: null,
      },
    ]);
    const { data: containers } = await viewer.from('container_samples').select('*').eq('host_id', t1.hostId).limit(1);
    expect(containers?.[0]).toMatchObject({
      container_id: CID,
      name: 'web',
      image: 'nginx:1.27',
      cpu_percent: 150,
      mem_used: 1 << 20,
      mem_limit: 4 << 20,
      mem_percent: 25,
      blk_read_bps: 1,
      blk_write_bps: 2,
      net_rx_bps: 3,
      net_tx_bps: null,
      pids: 5,
    });
    const { data: nics } = await agent.from('host_interface_samples').select('interface').eq('host_id', t1.hostId);
    expect(nics).toHaveLength(4);
    // Another team's admin sees none of it, in any of the tables.
    const other = clientWith(t2.adminToken);
    for (const t of [...TABLES, 'host_series_1m', 'host_series_1h', 'host_series_compact']) {
      const { data, error } = await other.from(t).select('host_id').eq('host_id', t1.hostId);
      expect({ t, error, n: data?.length }).toEqual({ t, error: null, n: 0 });
    }
    // Clients cannot write the tables themselves.
    const forged = await agent
      .from('host_mount_samples')
      .insert({ host_id: t1.hostId, ts: new Date().toISOString(), mount: '/x' });
    expect(forged.error?.code).toBe('42501');
  });

  it('still ingests rows without the new fields, and refuses a bad entry with nothing written', async () => {
    const team = await createTeam(db);
    const agent = clientWith(team.agentToken);
    const ts = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    // An older agent: no containers or processes; a row with no detail at all.
    const old = {
      host_id: team.hostId,
      ts: ts(30),
      detail: { mounts: [{ mount: '/', totalBytes: 10, usedBytes: 5, availableBytes: 5 }] },
    };
    const bare = { host_id: team.hostId, ts: ts(20), cpu_total: 3 };
    expect((await agent.from('host_samples').insert([old, bare])).error).toBeNull();
    expect(await counts(team.hostId)).toEqual({
      host_mount_samples: 1,
      host_disk_samples: 0,
      host_interface_samples: 0,
      container_samples: 0,
    });
    const bad = { host_id: team.hostId, ts: ts(10), detail: { containers: [{ id: 'x', cpuPct: -5 }] } };
    const r = await agent.from('host_samples').insert(bad);
    expect(r.error?.message).toMatch(/container_samples_counters_non_negative/);
    const n = await db.query('select 1 from host_samples where host_id = $1 and ts = $2', [team.hostId, bad.ts]);
    expect(n.rows).toHaveLength(0);
  });

  it('broadcasts the newest top processes to the team topic as a small event of its own', async () => {
    const team = await createTeam(db);
    const agent = clientWith(team.agentToken);
    const ts = new Date(Date.now() - 5_000);
    expect((await agent.from('host_samples').insert(hostSampleRow(team.hostId, sample(ts, 1)).row)).error).toBeNull();
    const { rows } = await db.query<{ payload: { processes: unknown[] } }>(
      `select payload from realtime.messages where topic = $1 and event = 'processes'`,
      [`team:${team.teamId}`],
    );
    expect(rows).toHaveLength(1);
    // Postgres writes the time in jsonb without trailing zeros of the fraction: compare instants, not text.
    const sent = rows[0]!.payload.processes as { host_id: string; ts: string; top_processes: unknown }[];
    expect(sent.map((p) => ({ ...p, ts: new Date(p.ts).toISOString() }))).toEqual([
      { host_id: team.hostId, ts: ts.toISOString(), top_processes: sample(ts, 1).topProcesses },
    ]);
    // A member subscribed to the team topic receives it through Realtime.
    const inbox = new Inbox<{ payload: { processes: { host_id: string; top_processes: unknown[] }[] } }>();
    const member = realtimeClient(team.viewerToken);
    await subscribe(
      member
        .channel(`team:${team.teamId}`, { config: { private: true } })
        .on('broadcast', { event: 'processes' }, (m) => inbox.push(m as never)),
    );
    const later = new Date(ts.getTime() + 1000);
    expect(
      (await agent.from('host_samples').insert(hostSampleRow(team.hostId, sample(later, 1)).row)).error,
    ).toBeNull();
    const got = await inbox.next(10_000);
    expect(got.payload.processes[0]!.host_id).toBe(team.hostId);
    expect(got.payload.processes[0]!.top_processes).toHaveLength(2);
    // The ingest broadcast keeps leaving detail out.
    const ingest = await db.query<{ payload: { hosts: Record<string, unknown>[] } }>(
      `select payload from realtime.messages where topic = $1 and event = 'ingest'`,
      [`team:${team.teamId}`],
    );
    expect(ingest.rows[0]!.payload.hosts[0]).not.toHaveProperty('detail');
  });

  it('rolls up per source, metric and key, compacts old rows per hour and keeps the values', async () => {
    const team = await createTeam(db);
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 3_600_000);
    const rows = Array.from(
      { length: 6 },
      (_, i) => hostSampleRow(team.hostId, sample(new Date(hour.getTime() + i * 10_000), 100 * (i + 1))).row,
    );
    await db.query(
      `insert into public.host_samples (host_id, ts, detail) select host_id, ts, detail from jsonb_populate_recordset(null::public.host_samples, $1)`,
      [JSON.stringify(rows)],
    );
    await db.query(`select private.rollup_host_series('minute', $1, $1::timestamptz + interval '1 hour')`, [hour]);
    await db.query(`select private.rollup_host_series('hour', $1, $1::timestamptz + interval '1 hour')`, [hour]);
    const m = await db.query(
      `select samples, min, avg, max from public.host_series_1m where host_id = $1 and source = 'mount' and metric = 'used' and key = '/'`,
      [team.hostId],
    );
    expect(m.rows).toEqual([{ samples: 6, min: 100, avg: 350, max: 600 }]);
    const h = await db.query(
      `select source, metric, key, samples, max from public.host_series_1h where host_id = $1 and metric in ('cpu_percent', 'rx_errors_ps') order by 1, 3`,
      [team.hostId],
    );
    expect(h.rows).toEqual([
      { source: 'container', metric: 'cpu_percent', key: CID, samples: 6, max: 150 },
      { source: 'interface', metric: 'rx_errors_ps', key: 'eth0', samples: 6, max: 0 },
      { source: 'interface', metric: 'rx_errors_ps', key: 'eth1', samples: 6, max: 0.5 },
    ]);

    await db.query(`select private.compact_host_series(now() - interval '1 day')`);
    expect(await counts(team.hostId)).toEqual({
      host_mount_samples: 0,
      host_disk_samples: 0,
      host_interface_samples: 0,
      container_samples: 0,
    });
    const c = await db.query<{ samples: number; data: Record<string, unknown> }>(
      `select samples, data from public.host_series_compact where host_id = $1 and source = 'mount' and key = '/'`,
      [team.hostId],
    );
    expect(c.rows[0]!.samples).toBe(6);
    expect(c.rows[0]!.data.used).toEqual([100, 200, 300, 400, 500, 600]);
    expect(c.rows[0]!.data.labels).toEqual({ device: '/dev/sda1', fstype: 'ext4' });
    expect((c.rows[0]!.data.ts as number[])[5]! - (c.rows[0]!.data.ts as number[])[0]!).toBeCloseTo(50, 3);
    // A late sample for a compacted hour merges into its blob on the next run.
    await db.query(`insert into public.host_samples (host_id, ts, detail) values ($1, $2, $3)`, [
      team.hostId,
      new Date(hour.getTime() + 70_000),
      JSON.stringify({ mounts: [{ mount: '/', totalBytes: 2000, usedBytes: 700, availableBytes: 1300 }] }),
    ]);
    await db.query(`select private.run_host_series_maintenance()`);
    const merged = await db.query<{ samples: number; data: { used: number[] } }>(
      `select samples, data from public.host_series_compact where host_id = $1 and source = 'mount' and key = '/'`,
      [team.hostId],
    );
    expect(merged.rows[0]!.samples).toBe(7);
    expect(merged.rows[0]!.data.used).toEqual([100, 200, 300, 400, 500, 600, 700]);
  });

  it('applies each team retention to rollups and compacted hours', async () => {
    const team = await createTeam(db);
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await db.query(
      `insert into public.host_series_1m (host_id, source, metric, key, bucket, samples) values ($1, 'disk', 'read_bps', 'sda', $2, 1)`,
      [team.hostId, old],
    );
    await db.query(
      `insert into public.host_series_compact (host_id, source, key, hour, samples, data) values ($1, 'disk', 'sda', $2, 1, '{}')`,
      [team.hostId, old],
    );
    await db.query(`select private.run_host_series_maintenance()`);
    const r = await db.query(
      `select (select count(*) from public.host_series_1m where host_id = $1)::int m, (select count(*) from public.host_series_compact where host_id = $1)::int c`,
      [team.hostId],
    );
    expect(r.rows[0]).toEqual({ m: 0, c: 0 });
  });
});
