/**
 * Issue 14 (items 4–6), what issue 17 will measure: the cost of the host_samples fan-out trigger
 * (host_samples_0_fan_out: mounts, disks, interfaces and containers into their tables, the `processes`
 * broadcast) per agent batch of 2 samples, sent as the agent sends it (supabase-js upsert through /rest/v1).
 * Baseline in the same run: the same batches with that trigger disabled. Rounds alternate on and off;
 * the figure is the median batch latency on ÷ off, with each round's ratio as the spread. A second figure
 * does the same at the SQL level (one 2-row insert statement over a plain connection), without HTTP.
 */
import pg from 'pg';
import type { HostSample } from '../../agent/src/sample.ts';
import { CONFLICT_KEYS, hostSampleRow } from '../../agent/src/send/rows.ts';
import { agentClient, createTeamRow, provisionAgents } from '../../testkit/src/provision.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';
import { percentile, report } from './harness.ts';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 150);
const ROUNDS = 3;

/** A sample as a busy host sends it: 3 mounts, 2 disks, 3 interfaces, 10 containers, 20 processes. */
function sample(ts: number, i: number): HostSample {
  return {
    ts: new Date(ts).toISOString(),
    errors: {},
    cpu: {
      totalPct: 20 + (i % 50),
      userPct: 10,
      systemPct: 5,
      iowaitPct: 1,
      stealPct: 0,
      perCorePct: [20, 30, 10, 40],
    },
    load: { load1: 1.2, load5: 1, load15: 0.8 },
    disk: {
      totalBytes: 3e12,
      usedBytes: 1e12,
      usedPct: 33,
      mounts: ['/', '/var/lib/docker', '/data'].map((m, k) => ({
        mount: m,
        device: `/dev/sd${'abc'[k]}1`,
        fstype: 'ext4',
        totalBytes: 1e12,
        usedBytes: 3e11 + i * 4096,
        availableBytes: 7e11 - i * 4096,
        usedPct: 30,
        inodesUsedPct: 2.5,
      })),
    },
    diskIo: {
      readBytesPerSec: 2e6,
      writeBytesPerSec: 1e6,
      devices: ['sda', 'sdb'].map((d) => ({
        device: d,
        readBytesPerSec: 1e6 + i,
        writeBytesPerSec: 5e5,
        readsPerSec: 40,
        writesPerSec: 20,
        utilPct: 12,
      })),
    },
    network: {
      rxBytesPerSec: 3e5,
      txBytesPerSec: 2e5,
      interfaces: ['eth0', 'eth1', 'docker0'].map((n) => ({
        name: n,
        rxBytesPerSec: 1e5 + i,
        txBytesPerSec: 7e4,
        rxPacketsPerSec: 90,
        txPacketsPerSec: 80,
        rxErrorsPerSec: 0,
        txErrorsPerSec: 0,
      })),
    },
    containers: Array.from({ length: 10 }, (_, k) => ({
      id: k.toString(16).padStart(64, 'c'),
      name: `app-${k}`,
      image: 'registry.example/app:1.2.3',
      cpuPct: (k * 7 + i) % 100,
      memUsedBytes: 2e8 + k,
      memLimitBytes: 1e9,
      blkReadBytesPerSec: 100,
      blkWriteBytesPerSec: 200,
      netRxBytesPerSec: 1000,
      netTxBytesPerSec: 900,
      pids: 12,
    })),
    topProcesses: Array.from({ length: 20 }, (_, k) => ({
      pid: 1000 + k,
      name: `proc-${k}`,
      user: 'app',
      cpu: 20 - k,
      rss: 1e8 - k * 1e6,
    })),
  };
}

const stack = await freshStack();
const db = new pg.Client({ connectionString: stack.env.SUPABASE_DB_URL });
await db.connect();
try {
  const teamId = await createTeamRow(db, 'bench host series');
  const [cred] = await provisionAgents(stack.env, db, teamId, 1, 'series');
  const agent = await agentClient(stack.env, cred!);
  let clock = Date.now() - 2 * 3_600_000;
  const batch = () => {
    const rows = [0, 1].map((k) => hostSampleRow(cred!.hostId, sample((clock += 1000), k)).row);
    return rows;
  };
  const setTrigger = (on: boolean) =>
    db.query(`alter table public.host_samples ${on ? 'enable' : 'disable'} trigger host_samples_0_fan_out`);

  async function restRound(): Promise<number[]> {
    const times: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const rows = batch();
      const t0 = performance.now();
      const { error } = await agent
        .from('host_samples')
        .upsert(rows, { onConflict: CONFLICT_KEYS.host_samples, ignoreDuplicates: true });
      times.push(performance.now() - t0);
      if (error) throw new Error(`Insert failed: ${error.message}`);
    }
    return times;
  }
  async function sqlRound(): Promise<number[]> {
    const times: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const rows = batch();
      const t0 = performance.now();
      await db.query(
        `insert into public.host_samples (host_id, ts, cpu_total, detail)
         select r.host_id, r.ts, r.cpu_total, r.detail from jsonb_populate_recordset(null::public.host_samples, $1) r
         on conflict do nothing`,
        [JSON.stringify(rows)],
      );
      times.push(performance.now() - t0);
    }
    return times;
  }

  // Warm both paths (plans, schema cache).
  await restRound();
  const ratios = { rest: [] as number[], sql: [] as number[] };
  const medians = { restOn: [] as number[], restOff: [] as number[], sqlOn: [] as number[], sqlOff: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    await setTrigger(true);
    const restOn = percentile(await restRound(), 50);
    const sqlOn = percentile(await sqlRound(), 50);
    await setTrigger(false);
    const restOff = percentile(await restRound(), 50);
    const sqlOff = percentile(await sqlRound(), 50);
    await setTrigger(true);
    medians.restOn.push(restOn);
    medians.restOff.push(restOff);
    medians.sqlOn.push(sqlOn);
    medians.sqlOff.push(sqlOff);
    ratios.rest.push(restOn / restOff);
    ratios.sql.push(sqlOn / sqlOff);
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  process.stdout.write(
    `2-sample batch, median per round (ms): REST on ${fmt(medians.restOn)} | off ${fmt(medians.restOff)}; ` +
      `SQL on ${fmt(medians.sqlOn)} | off ${fmt(medians.sqlOff)}\n` +
      `ratios on/off per round: REST ${fmt(ratios.rest)}; SQL ${fmt(ratios.sql)}\n`,
  );
  report([
    {
      figure: 'Host-series fan-out: 2-sample REST batch latency, trigger on ÷ off (median of rounds)',
      value: percentile(ratios.rest, 50),
      unit: '×',
      goal: '',
      met: null,
      issue: 14,
    },
    {
      figure: 'Host-series fan-out: 2-sample SQL insert time, trigger on ÷ off (median of rounds)',
      value: percentile(ratios.sql, 50),
      unit: '×',
      goal: '',
      met: null,
      issue: 14,
    },
  ]);
} finally {
  await db.end();
  await stack.stop();
}
