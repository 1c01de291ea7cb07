/**
 * The cost model behind docs/scale.md (issue 17): agent-shaped ingest through the gateway, measured per
 * request on this machine — Postgres CPU (every postgres process of the stack, WAL decoding for Realtime
 * included), the API tier's CPU (the stack's Node process: gateway, REST, Realtime), WAL bytes, stored
 * bytes and Realtime messages — at 2-row and 12-row batches with the detail agents send (every 10 s and
 * every 60 s), and 1,000-row bulk batches without it, then
 * replayed for fleets of 10,000 and 100,000 hosts against the hosted compute sizes.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createTeamRow } from '../../testkit/src/provision.ts';
import { startStackProcess } from '../../testkit/src/stack-process.ts';
import { report, type BenchResult } from './harness.ts';
import { ingestUrl, keepAliveAgent, postJson, provisionFleet } from './load/fleet.ts';
import { processTree } from './load/memory.ts';
import { sampleRow } from './load/simulated-agent.ts';

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const TICK_MS = 10; // USER_HZ 100

/** Hosted compute sizes (supabase.com/docs/guides/platform/compute-add-ons): dedicated cores from Large up. */
export const COMPUTE_SIZES = [
  { name: 'Large', cores: 2, pooler: 300 },
  { name: 'XL', cores: 4, pooler: 600 },
  { name: '2XL', cores: 8, pooler: 1200 },
  { name: '4XL', cores: 16, pooler: 2800 },
  { name: '8XL', cores: 32, pooler: 5600 },
  { name: '12XL', cores: 48, pooler: 8600 },
  { name: '16XL', cores: 64, pooler: 11600 },
];
/** Share of the cores a sized database may use for ingest, leaving room for the dashboard, jobs and peaks. */
const TARGET_UTILISATION = 0.5;

/** CPU ms of the stack's processes by kind: postgres, and everything else (Node, Deno, Redis). */
function cpuMs(rootPid: number): { postgres: number; api: number } {
  const out = { postgres: 0, api: 0 };
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * TICK_MS;
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'postgres') out.postgres += ms;
      else out.api += ms;
    } catch {
      /* gone */
    }
  }
  return out;
}

const stack = await startStackProcess();
const env = stack.env;
const db = new pg.Pool({ connectionString: env.SUPABASE_DB_URL, max: 2 });
const http = keepAliveAgent(64);
try {
  const teamId = await createTeamRow(db, 'scale-model');
  const fleet = await provisionFleet(db, env.SUPABASE_JWT_SECRET!, teamId, 64, 'model');
  await db.query(
    `insert into public.alert_rules (team_id, name, metric, operator, threshold, severity, scope)
     values ($1, 'CPU high', 'cpu_total', '>', 95, 'warning', 'all')`,
    [teamId],
  );
  const url = ingestUrl(env.SUPABASE_URL!);
  let clock = Date.now() - 5 * 3_600_000;
  let next = 0;

  /** Sends `requests` batches of `rows` at `inflight`; returns the per-request costs. */
  async function measure(rows: number, requests: number, inflight: number) {
    const sizeSql = `select coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::bigint as b
      from pg_inherits i where i.inhparent = 'public.host_samples'::regclass`;
    const before = {
      cpu: cpuMs(stack.pid),
      wal: (await db.query<{ l: string }>('select pg_current_wal_lsn()::text as l')).rows[0]!.l,
      size: Number((await db.query<{ b: string }>(sizeSql)).rows[0]!.b),
      messages: Number(
        (
          await db.query<{ n: string }>(`select count(*) as n from realtime.messages where topic = $1`, [
            `team:${teamId}`,
          ])
        ).rows[0]!.n,
      ),
    };
    let left = requests;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (left-- > 0) {
          const agent = fleet[next++ % fleet.length]!;
          const batch = Array.from({ length: rows }, () =>
            sampleRow(agent.hostId, new Date(clock++), 20 + (clock % 50)),
          );
          const status = await postJson(
            http,
            url,
            {
              apikey: env.SUPABASE_ANON_KEY!,
              authorization: `Bearer ${agent.token}`,
              prefer: 'return=minimal,resolution=ignore-duplicates',
            },
            JSON.stringify(batch),
          );
          if (status !== 201) throw new Error(`ingest answered ${status}`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000)); // Realtime's WAL decoding catches up
    const after = cpuMs(stack.pid);
    const wal = await db.query<{ d: string }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn) as d', [
      before.wal,
    ]);
    const size = Number((await db.query<{ b: string }>(sizeSql)).rows[0]!.b);
    const messages = Number(
      (
        await db.query<{ n: string }>(`select count(*) as n from realtime.messages where topic = $1`, [
          `team:${teamId}`,
        ])
      ).rows[0]!.n,
    );
    return {
      rows,
      requestsPerS: requests / seconds,
      pgCpuMs: (after.postgres - before.cpu.postgres) / requests,
      apiCpuMs: (after.api - before.cpu.api) / requests,
      walBytes: Number(wal.rows[0]!.d) / requests,
      storedBytesPerRow: (size - before.size) / (requests * rows),
      messagesPerRequest: (messages - before.messages) / requests,
    };
  }

  await measure(2, 300, 32); // warm-up
  const small = await measure(2, 3000, 32);
  const mid = await measure(12, 1000, 32);
  await measure(1000, 3, 4); // warm-up
  const big = await measure(1000, 20, 4);
  for (const m of [small, mid, big])
    log(
      `${m.rows}-row requests: ${m.requestsPerS.toFixed(0)}/s, Postgres ${m.pgCpuMs.toFixed(2)} ms CPU, API ${m.apiCpuMs.toFixed(2)} ms CPU, WAL ${(m.walBytes / 1024).toFixed(1)} KiB, stored ${m.storedBytesPerRow.toFixed(0)} B/row, ${m.messagesPerRequest.toFixed(2)} Realtime messages per request`,
    );

  /** The measured point for an agent's batch: 2 rows (send every 10 s) or 12 rows (every 60 s), detail included. */
  const perRequest = (key: 'pgCpuMs' | 'apiCpuMs' | 'walBytes', rows: number) => (rows <= 2 ? small : mid)[key];
  const results: BenchResult[] = [
    {
      figure: 'Model: Postgres CPU per 2-row ingest request (REST, RLS, triggers, Realtime decoding)',
      value: small.pgCpuMs,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 17,
    },
    {
      figure: 'Model: Postgres CPU per ingested row in 1,000-row batches',
      value: big.pgCpuMs / 1000,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 17,
    },
    {
      figure: 'Model: WAL per 2-row ingest request',
      value: small.walBytes / 1024,
      unit: 'KiB',
      goal: '',
      met: null,
      issue: 17,
    },
    {
      figure: 'Model: raw storage per row (table and indexes)',
      value: small.storedBytesPerRow,
      unit: 'B',
      goal: '',
      met: null,
      issue: 17,
    },
  ];
  for (const hosts of [10_000, 100_000]) {
    for (const [sendS, rowsPerSend] of [
      [10, 2],
      [60, 12],
    ] as const) {
      const rps = hosts / sendS;
      const cores = (rps * perRequest('pgCpuMs', rowsPerSend)) / 1000;
      const walMBs = (rps * perRequest('walBytes', rowsPerSend)) / 2 ** 20;
      const size = COMPUTE_SIZES.find((s) => s.cores * TARGET_UTILISATION >= cores);
      log(
        `${hosts} hosts sending ${rowsPerSend} rows every ${sendS} s: ${rps.toFixed(0)} requests/s, ${(rps * rowsPerSend).toFixed(0)} rows/s, ${cores.toFixed(1)} Postgres cores, ${walMBs.toFixed(1)} MB/s WAL, API ${((rps * perRequest('apiCpuMs', rowsPerSend)) / 1000).toFixed(1)} cores → ${size?.name ?? 'beyond 16XL'}`,
      );
      results.push({
        figure: `Model: ${hosts.toLocaleString('en')} hosts, ${rowsPerSend} rows every ${sendS} s: Postgres cores for ingest (${rps.toFixed(0)} requests/s, WAL ${walMBs.toFixed(1)} MB/s)`,
        value: cores,
        unit: `cores → ${size ? `${size.name} (${size.cores} cores at ≤ ${TARGET_UTILISATION * 100} %)` : 'beyond 16XL'}`,
        goal: '',
        met: null,
        issue: 17,
      });
    }
  }
  report(results);
} finally {
  http.destroy();
  await db.end();
  await stack.stop();
}
