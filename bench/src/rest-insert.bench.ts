/**
 * Issue 2, Measure 1: bulk insert through /rest/v1 (supabase-js, authenticated user, 1,000-row JSON batches, table under RLS)
 * against COPY of the same rows into the same table, in the same run. Figure: REST rows/s ÷ COPY rows/s, goal ≥ 0.35.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { copyFrom } from './copy-in.ts';
import { report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const ROUNDS = 3;

const stack = await freshStack();
const db = new pg.Client({ connectionString: stack.env.SUPABASE_DB_URL });
await db.connect();
try {
  await db.query(`
    create table public.bench_samples (
      owner uuid not null default auth.uid() references auth.users (id),
      host text not null, ts timestamptz not null, cpu double precision, mem_used bigint, load1 real,
      net_rx bigint, net_tx bigint, labels jsonb,
      primary key (owner, host, ts));
    alter table public.bench_samples enable row level security;
    create policy "Users insert their own samples" on public.bench_samples for insert to authenticated
      with check ((select auth.uid()) = owner);
    create policy "Users read their own samples" on public.bench_samples for select to authenticated
      using ((select auth.uid()) = owner);
    grant select, insert on public.bench_samples to authenticated;`);
  const uid = randomUUID();
  await db.query(
    `insert into auth.users (id, email, aud, role) values ($1, 'bench@example.test', 'authenticated', 'authenticated')`,
    [uid],
  );
  const token = await stack.context.keys.signHs256({
    sub: uid,
    role: 'authenticated',
    aud: 'authenticated',
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const supabase = createClient(stack.env.SUPABASE_URL, stack.env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${token}` } },
  });

  const start = Date.UTC(2026, 0, 1);
  const batches = Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, i) => {
      const n = b * BATCH + i;
      return {
        owner: uid,
        host: `host-${n % 50}`,
        ts: new Date(start + Math.floor(n / 50) * 1000).toISOString(),
        cpu: (n % 1000) / 10,
        mem_used: 1_000_000 + n,
        load1: (n % 400) / 100,
        net_rx: n * 7,
        net_tx: n * 3,
        labels: { region: n % 2 ? 'eu' : 'us', role: 'web' },
      };
    }),
  );
  const toCsv = (rows: (typeof batches)[number]) =>
    Buffer.from(
      rows
        .map((r) =>
          [
            r.owner,
            r.host,
            r.ts,
            r.cpu,
            r.mem_used,
            r.load1,
            r.net_rx,
            r.net_tx,
            `"${JSON.stringify(r.labels).replaceAll('"', '""')}"`,
          ].join(','),
        )
        .join('\n') + '\n',
    );
  const csvBatches = batches.map(toCsv);
  const csvAll = Buffer.concat(csvBatches);
  const total = BATCH * BATCHES;

  async function viaRest(): Promise<number> {
    const t0 = performance.now();
    for (const rows of batches) {
      const { error } = await supabase.from('bench_samples').insert(rows);
      if (error) throw new Error(`REST insert failed: ${error.message}`);
    }
    return total / ((performance.now() - t0) / 1000);
  }
  const copySql = `copy public.bench_samples (owner, host, ts, cpu, mem_used, load1, net_rx, net_tx, labels) from stdin with (format csv)`;
  // The baseline COPYs the same 1,000-row batches, each its own transaction as each REST request is;
  // one COPY of everything (a single commit) is reported as well.
  async function viaCopy(): Promise<number> {
    const t0 = performance.now();
    let copied = 0;
    for (const chunk of csvBatches) copied += await copyFrom(db, copySql, chunk);
    if (copied !== total) throw new Error(`COPY wrote ${copied} rows, expected ${total}`);
    return total / ((performance.now() - t0) / 1000);
  }
  async function viaOneCopy(): Promise<number> {
    const t0 = performance.now();
    const copied = await copyFrom(db, copySql, csvAll);
    if (copied !== total) throw new Error(`COPY wrote ${copied} rows, expected ${total}`);
    return total / ((performance.now() - t0) / 1000);
  }

  // Warm both paths (schema cache, plans, JIT of the client) before measuring.
  const warm = await supabase.from('bench_samples').insert(batches[0]!);
  if (warm.error) throw new Error(`REST insert failed: ${warm.error.message}`);
  await db.query('truncate public.bench_samples');
  const rest: number[] = [];
  const copy: number[] = [];
  const oneCopy: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rest.push(await viaRest());
    const { rows } = await db.query('select count(*)::int as n from public.bench_samples');
    if (rows[0].n !== total) throw new Error(`REST stored ${rows[0].n} rows, expected ${total}`);
    await db.query('truncate public.bench_samples');
    copy.push(await viaCopy());
    await db.query('truncate public.bench_samples');
    oneCopy.push(await viaOneCopy());
    await db.query('truncate public.bench_samples');
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  const ratio = median(rest) / median(copy);
  const single = median(rest) / median(oneCopy);
  process.stdout.write(
    `REST ${Math.round(median(rest))} rows/s, COPY per batch ${Math.round(median(copy))} rows/s, one COPY ${Math.round(median(oneCopy))} rows/s (${total} rows per round, median of ${ROUNDS})\n`,
  );
  report([
    {
      figure: 'REST bulk insert (1,000-row batches, RLS, authenticated) / COPY of the same batches (rows/s ratio)',
      value: ratio,
      unit: '×',
      goal: '≥ 0.35',
      met: ratio >= 0.35,
      issue: 2,
    },
    {
      figure: 'REST bulk insert / one COPY of all rows in a single transaction (rows/s ratio)',
      value: single,
      unit: '×',
      goal: '',
      met: null,
      issue: 2,
    },
    {
      figure: 'REST bulk insert throughput',
      value: Math.round(median(rest)),
      unit: 'rows/s',
      goal: '',
      met: null,
      issue: 2,
    },
  ]);
} finally {
  await db.end();
  await stack.stop();
}
