/**
 * Join flood: a client holding only the anon key opens 100 sockets and attempts 20,000 private-channel joins
 * (reconnecting whenever the server closes a socket), while a signed-in user reads through REST in a loop.
 * Reports REST read latency (worst, p95) before (the baseline, same run), during and after the flood, failed
 * reads, how the joins were answered, and the memory of the stack process (a child: RSS and private pages).
 * Three rounds on one stack, so memory that is kept shows up as growth from round to round.
 * BENCH_FLOOD_JOINS, BENCH_FLOOD_SOCKETS and BENCH_FLOOD_ROUNDS change the run; BENCH_FLOOD_STACK_CLI runs another
 * checkout's stack/src/cli.ts (e.g. the code before the limits, for a before/after in the same conditions).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { freePort } from '../../testkit/src/free-port.ts';
import { percentile, report } from './harness.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { cpuSeconds, privateMb, rssMb } from './proc.ts';

const JOINS = Number(process.env.BENCH_FLOOD_JOINS ?? 20_000);
const SOCKETS = Number(process.env.BENCH_FLOOD_SOCKETS ?? 100);
const ROUNDS = Number(process.env.BENCH_FLOOD_ROUNDS ?? 3);
const QUIET_MS = 5_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

// The stack runs in its own process, so its memory is the gateway's alone, not the flooding client's.
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-bench-flood-'));
await fs.chmod(dir, 0o755);
const cli = process.env.BENCH_FLOOD_STACK_CLI ?? path.join(import.meta.dirname, '..', '..', 'stack', 'src', 'cli.ts');
const child = spawn(process.execPath, [cli, 'stack'], {
  env: {
    ...process.env,
    VIBE_DATA_DIR: dir,
    VIBE_GATEWAY_PORT: String(await freePort()),
    VIBE_DB_PORT: String(await freePort()),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    if (out.includes('\nready\n')) resolve();
  });
  child.once('exit', (code) => reject(new Error(`stack exited (${code}) before it was ready:\n${out}`)));
});
const env = Object.fromEntries(
  (await fs.readFile(path.join(dir, 'stack.env'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const stackPid = child.pid!;
const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
await db.connect();

/**
 * REST reads in a loop on a worker thread, each with its latency and when it started: the flooding client
 * keeps this process's main event loop busy, and that delay must not be counted against the server.
 */
function readLoop(
  url: string,
  token: string,
): { samples: { at: number; ms: number; ok: boolean }[]; stop: () => Promise<void> } {
  const samples: { at: number; ms: number; ok: boolean }[] = [];
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
    let running = true;
    parentPort.on('message', () => (running = false));
    (async () => {
      // performance.timeOrigin differs per thread; report wall-clock-based times the main thread can compare
      const now = () => performance.timeOrigin + performance.now();
      while (running) {
        const t0 = now();
        let ok = false;
        try {
          const res = await fetch(workerData.url, { headers: workerData.headers, signal: AbortSignal.timeout(30000) });
          ok = res.status === 200 && Array.isArray(await res.json());
        } catch {}
        parentPort.postMessage({ at: t0, ms: now() - t0, ok });
        await new Promise((r) => setTimeout(r, 20));
      }
      parentPort.postMessage('done');
    })();`,
    { eval: true, workerData: { url, headers: { apikey: env.SUPABASE_ANON_KEY!, authorization: `Bearer ${token}` } } },
  );
  let finished: () => void = () => {};
  const done = new Promise<void>((r) => (finished = r));
  worker.on('message', (m: { at: number; ms: number; ok: boolean } | 'done') => {
    if (m === 'done') finished();
    else samples.push({ ...m, at: m.at - performance.timeOrigin });
  });
  return {
    samples,
    stop: async () => {
      worker.postMessage('stop');
      await done;
      await worker.terminate();
    },
  };
}

/** The flood: SOCKETS sockets share JOINS private joins; a socket the server closes reconnects and goes on. */
async function flood(): Promise<{
  ms: number;
  replies: Map<string, number>;
  refusedSockets: number;
  connects: number;
}> {
  const replies = new Map<string, number>();
  let next = 0;
  let refusedSockets = 0;
  let connects = 0;
  const t0 = performance.now();
  const wsUrl = `${env.SUPABASE_URL!.replace('http', 'ws')}/realtime/v1/websocket?apikey=${env.SUPABASE_ANON_KEY}&vsn=1.0.0`;
  const worker = async (w: number) => {
    let failures = 0;
    while (next < JOINS && performance.now() - t0 < 120_000) {
      connects++;
      const ws = new WebSocket(wsUrl);
      ws.on('error', () => {});
      const opened = await new Promise<boolean>((resolve) => {
        ws.once('open', () => resolve(true));
        ws.once('unexpected-response', () => resolve(false));
        ws.once('close', () => resolve(false));
      });
      if (!opened) {
        refusedSockets++;
        ws.terminate();
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** failures++)));
        continue;
      }
      failures = 0;
      let pending = 0;
      ws.on('message', (data) => {
        const f = JSON.parse(String(data)) as {
          event: string;
          payload: { status?: string; response?: { reason?: string } };
        };
        if (f.event !== 'phx_reply') return;
        pending--;
        const key = f.payload.status === 'ok' ? 'ok' : (f.payload.response?.reason ?? 'error').split(':')[0]!;
        replies.set(key, (replies.get(key) ?? 0) + 1);
      });
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      // send this socket's share as fast as the socket takes it, like a hostile client would
      while (next < JOINS && ws.readyState === ws.OPEN) {
        const n = next++;
        pending++;
        ws.send(
          JSON.stringify({
            join_ref: String(n),
            ref: String(n),
            topic: `realtime:flood-${w}-${n}`,
            event: 'phx_join',
            payload: { config: { private: true } },
          }),
        );
        if (n % 50 === 0) await new Promise((r) => setImmediate(r));
      }
      // wait for the replies still owed (or the server closing the socket)
      const deadline = performance.now() + 30_000;
      while (pending > 0 && ws.readyState === ws.OPEN && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      if (ws.readyState !== ws.OPEN && pending > 0)
        replies.set('no reply (socket closed)', (replies.get('no reply (socket closed)') ?? 0) + pending);
      ws.terminate();
      await closed;
    }
  };
  await Promise.all(Array.from({ length: SOCKETS }, (_, w) => worker(w)));
  return { ms: performance.now() - t0, replies, refusedSockets, connects };
}

const stats = (xs: { ms: number; ok: boolean }[]) => ({
  n: xs.length,
  failed: xs.filter((x) => !x.ok).length,
  p95: percentile(
    xs.map((x) => x.ms),
    95,
  ),
  worst: Math.max(...xs.map((x) => x.ms)),
});
const fmt = (s: ReturnType<typeof stats>) =>
  `${s.n} reads, p95 ${s.p95.toFixed(1)} ms, worst ${s.worst.toFixed(1)} ms, ${s.failed} failed`;
const mem = () => ({ rss: rssMb(stackPid), priv: privateMb(stackPid) });

try {
  // what the signed-in user reads: a small RLS table of their own
  await db.query(
    `create table public.flood_notes (id bigint generated always as identity primary key, owner uuid not null default auth.uid(), body text not null)`,
  );
  await db.query(`alter table public.flood_notes enable row level security`);
  await db.query(
    `create policy "Owners read their notes" on public.flood_notes for select to authenticated using (owner = (select auth.uid()))`,
  );
  await db.query(`grant select on public.flood_notes to authenticated`);
  // private topics are for members only; the anon flood is checked (one transaction each) and refused
  await db.query(
    `create table public.flood_members (topic text not null, user_id uuid not null, primary key (topic, user_id))`,
  );
  await db.query(`create policy "Members read their topics" on realtime.messages for select to authenticated using (
    exists (select 1 from public.flood_members m where m.topic = (select realtime.topic()) and m.user_id = (select auth.uid())))`);
  const admin = createClient(env.SUPABASE_URL!, env.SUPABASE_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const email = `flood-${Date.now()}@example.test`;
  const created = await admin.auth.admin.createUser({ email, password: 'flood-password-1', email_confirm: true });
  if (created.error) throw created.error;
  const user = createClient(env.SUPABASE_URL!, env.SUPABASE_ANON_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const session = await user.auth.signInWithPassword({ email, password: 'flood-password-1' });
  if (session.error) throw session.error;
  const token = session.data.session!.access_token;
  await db.query(`insert into public.flood_notes (owner, body) select $1, 'note ' || g from generate_series(1, 20) g`, [
    created.data.user!.id,
  ]);
  const url = `${env.SUPABASE_URL}/rest/v1/flood_notes?select=id,body&order=id`;

  const memStart = mem();
  log(
    `stack process ${stackPid}: RSS ${memStart.rss.toFixed(0)} MB, private ${memStart.priv.toFixed(0)} MB before the first flood`,
  );
  const rounds: {
    base: ReturnType<typeof stats>;
    during: ReturnType<typeof stats>;
    after: ReturnType<typeof stats>;
    memAfter: ReturnType<typeof mem>;
  }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const reader = readLoop(url, token);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    const floodStart = performance.now();
    const cpu0 = cpuSeconds(stackPid);
    // the flooding client shares this process with the reader: its event-loop lag is reported, to tell client delay from server delay
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const f = await flood();
    lag.disable();
    const floodEnd = performance.now();
    const cpu = cpuSeconds(stackPid) - cpu0;
    await new Promise((r) => setTimeout(r, QUIET_MS));
    await reader.stop();
    const base = stats(reader.samples.filter((s) => s.at < floodStart));
    const during = stats(reader.samples.filter((s) => s.at >= floodStart && s.at < floodEnd));
    const after = stats(reader.samples.filter((s) => s.at >= floodEnd));
    const memAfter = mem();
    rounds.push({ base, during, after, memAfter });
    log(
      `round ${round}: ${JOINS} joins over ${SOCKETS} sockets in ${(f.ms / 1000).toFixed(1)} s (${f.connects} connects, ${f.refusedSockets} refused at connect); replies: ${[...f.replies].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    log(
      `  stack process CPU during the flood: ${cpu.toFixed(1)} s; bench process event-loop lag max ${(lag.max / 1e6).toFixed(0)} ms`,
    );
    log(`  REST baseline: ${fmt(base)}`);
    log(`  REST during:   ${fmt(during)}`);
    log(`  REST after:    ${fmt(after)}`);
    log(`  stack process: RSS ${memAfter.rss.toFixed(0)} MB, private ${memAfter.priv.toFixed(0)} MB`);
  }
  const worstDuring = Math.max(...rounds.map((r) => r.during.worst));
  const p95During = Math.max(...rounds.map((r) => r.during.p95));
  const worstAfter = Math.max(...rounds.map((r) => r.after.worst));
  const worstBase = Math.max(...rounds.map((r) => r.base.worst));
  const failed = rounds.reduce((n, r) => n + r.during.failed + r.after.failed + r.base.failed, 0);
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  log(
    `over ${ROUNDS} rounds: worst during ${spread(rounds.map((r) => r.during.worst))} ms, p95 during ${spread(rounds.map((r) => r.during.p95))} ms, baseline p95 ${spread(rounds.map((r) => r.base.p95))} ms`,
  );
  const memEnd = rounds.at(-1)!.memAfter;
  report([
    {
      figure: `Join flood (${JOINS} anon private joins, ${SOCKETS} sockets): worst REST read during the flood, ${ROUNDS} rounds`,
      value: worstDuring,
      unit: 'ms',
      goal: '< 1000 ms',
      met: worstDuring < 1000,
      issue: 12,
    },
    {
      figure: 'Join flood: p95 REST read during the flood (worst round)',
      value: p95During,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 12,
    },
    {
      figure: 'Join flood: worst REST read after the flood',
      value: worstAfter,
      unit: 'ms',
      goal: '< 1000 ms',
      met: worstAfter < 1000,
      issue: 12,
    },
    {
      figure: 'Join flood: worst REST read without the flood (baseline, same run)',
      value: worstBase,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 12,
    },
    { figure: 'Join flood: failed REST reads', value: failed, unit: 'reads', goal: '0', met: failed === 0, issue: 12 },
    {
      figure: 'Join flood: stack process RSS before → after all rounds',
      value: memEnd.rss - memStart.rss,
      unit: 'MB growth',
      goal: '',
      met: null,
      issue: 12,
    },
    {
      figure: 'Join flood: stack process private memory before → after all rounds',
      value: memEnd.priv - memStart.priv,
      unit: 'MB growth',
      goal: '',
      met: null,
      issue: 12,
    },
  ]);
} finally {
  await db.end();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await fs.rm(dir, { recursive: true, force: true });
}
