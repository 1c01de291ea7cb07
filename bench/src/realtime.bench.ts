/**
 * Realtime: row insert → supabase-js callback latency for broadcast from the database (a trigger calling
 * realtime.send) and for postgres_changes (RLS table, user token), each over 1,000 rows; the baseline is a
 * plain LISTEN client receiving a NOTIFY from the same kind of trigger. Then broadcast fan-out: messages per
 * second one channel delivers to 100 subscribers.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import * as jose from 'jose';
import pg from 'pg';
import { percentile, report } from './harness.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const SUBSCRIBERS = 100;
const FANOUT_MESSAGES = Number(process.env.BENCH_FANOUT ?? 2000);
const WARMUP = 10;

const stack = await freshStack();
const env = stack.env;
const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
await db.connect();
const clients: SupabaseClient[] = [];

function client(token?: string): SupabaseClient {
  const c = createClient(env.SUPABASE_URL, env.SUPABASE_ANON_KEY, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(token ? { accessToken: async () => token } : {}),
  });
  // the accessToken option hands the token to Realtime asynchronously; setting it now makes the join carry it
  if (token) void c.realtime.setAuth(token);
  clients.push(c);
  return c;
}

function subscribed(ch: RealtimeChannel, waitForPostgres = false): Promise<void> {
  return new Promise((resolve, reject) => {
    if (waitForPostgres)
      ch.on('system', {}, (m: { status: string; message: string }) =>
        m.status === 'ok' ? resolve() : reject(new Error(m.message)),
      );
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED' && !waitForPostgres) resolve();
      if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(status));
    });
  });
}

/** Inserts rows one at a time and times each until `arrived(seq)` fires for it. */
async function measure(
  insert: (seq: number) => Promise<unknown>,
  register: (onArrive: (seq: number) => void) => void,
  n: number,
): Promise<number[]> {
  const waiting = new Map<number, (t: number) => void>();
  register((seq) => waiting.get(seq)?.(performance.now()));
  const out: number[] = [];
  for (let seq = 0; seq < n + WARMUP; seq++) {
    const arrived = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`message ${seq} did not arrive within 10 s`)), 10000);
      waiting.set(seq, (t) => (clearTimeout(timer), resolve(t)));
    });
    const t0 = performance.now();
    await insert(seq);
    const t1 = await arrived;
    waiting.delete(seq);
    if (seq >= WARMUP) out.push(t1 - t0);
  }
  return out;
}

const summary = (name: string, xs: number[]) =>
  process.stdout.write(
    `${name}: p50 ${percentile(xs, 50).toFixed(2)} ms, p95 ${percentile(xs, 95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms over ${xs.length}\n`,
  );

try {
  await db.query(
    `create table public.bench_feed (id bigint generated always as identity primary key, seq int not null, topic text not null)`,
  );
  await db.query(`create function public.bench_feed_send() returns trigger language plpgsql security definer set search_path = '' as $$
    begin perform realtime.send(jsonb_build_object('seq', new.seq), 'row', new.topic, false); return null; end $$`);
  await db.query(
    `create trigger send after insert on public.bench_feed for each row execute function public.bench_feed_send()`,
  );
  await db.query(`create table public.bench_plain (seq int not null)`);
  await db.query(`create function public.bench_plain_notify() returns trigger language plpgsql as $$
    begin perform pg_notify('bench_plain', new.seq::text); return null; end $$`);
  await db.query(
    `create trigger notify after insert on public.bench_plain for each row execute function public.bench_plain_notify()`,
  );
  await db.query(
    `create table public.bench_rows (id bigint generated always as identity primary key, owner uuid not null, seq int not null)`,
  );
  await db.query(`alter table public.bench_rows enable row level security`);
  await db.query(
    `create policy "owners read" on public.bench_rows for select to authenticated using (owner = (select auth.uid()))`,
  );
  await db.query(`grant select on public.bench_rows to authenticated`);
  await db.query(`alter publication supabase_realtime add table public.bench_rows`);

  // Baseline: the floor any database-to-client path pays, NOTIFY straight to a LISTEN connection. The two
  // are measured in alternating rounds so that changes in machine load hit both alike.
  const listener = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await listener.connect();
  await listener.query('listen bench_plain');
  let onPlain: (seq: number) => void = () => {};
  listener.on('notification', (n) => onPlain(Number(n.payload)));
  const topic = `bench-${randomUUID()}`;
  const feed = client().channel(topic);
  let onFeed: (seq: number) => void = () => {};
  feed.on('broadcast', { event: 'row' }, (m: { payload: { seq: number } }) => onFeed(m.payload.seq));
  await subscribed(feed);
  const plain: number[] = [];
  const broadcast: number[] = [];
  const ROUNDS = 10;
  for (let round = 0; round < ROUNDS; round++) {
    const n = Math.ceil(MESSAGES / ROUNDS);
    plain.push(
      ...(await measure(
        (seq) => db.query('insert into public.bench_plain (seq) values ($1)', [seq]),
        (arrive) => (onPlain = arrive),
        n,
      )),
    );
    broadcast.push(
      ...(await measure(
        (seq) => db.query('insert into public.bench_feed (seq, topic) values ($1, $2)', [seq, topic]),
        (arrive) => (onFeed = arrive),
        n,
      )),
    );
  }
  await listener.end();
  summary('baseline: NOTIFY → LISTEN', plain);
  summary('broadcast from database (trigger → realtime.send)', broadcast);

  const owner = randomUUID();
  await db.query(`insert into auth.users (id, email) values ($1, $2)`, [owner, `bench-${owner}@example.test`]);
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({ sub: owner, role: 'authenticated', aud: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(env.SUPABASE_JWT_SECRET));
  const changes = client(token).channel(`bench-changes-${randomUUID()}`);
  let onChange: (seq: number) => void = () => {};
  changes.on(
    'postgres_changes',
    { event: 'INSERT', schema: 'public', table: 'bench_rows' },
    (p: { new: { seq: number } }) => onChange(p.new.seq),
  );
  await subscribed(changes, true);
  const pgChanges = await measure(
    (seq) => db.query('insert into public.bench_rows (owner, seq) values ($1, $2)', [owner, seq]),
    (arrive) => (onChange = arrive),
    MESSAGES,
  );
  summary('postgres_changes (RLS table, per-subscriber check)', pgChanges);

  // Fan-out: one sender, 100 subscribers on their own sockets, every message to every subscriber.
  const fanTopic = `fanout-${randomUUID()}`;
  let delivered = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((r) => (allDone = r));
  const subs: Promise<void>[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const ch = client().channel(fanTopic);
    ch.on('broadcast', { event: 'tick' }, () => {
      if (++delivered === SUBSCRIBERS * FANOUT_MESSAGES) allDone();
    });
    subs.push(subscribed(ch));
  }
  await Promise.all(subs);
  const sender = client().channel(fanTopic);
  await subscribed(sender);
  const t0 = performance.now();
  for (let i = 0; i < FANOUT_MESSAGES; i++) void sender.send({ type: 'broadcast', event: 'tick', payload: { i } });
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = FANOUT_MESSAGES / seconds;
  process.stdout.write(
    `fan-out: ${FANOUT_MESSAGES} messages × ${SUBSCRIBERS} subscribers in ${seconds.toFixed(2)} s (${Math.round(perSecond * SUBSCRIBERS)} deliveries/s)\n`,
  );

  const p50 = percentile(broadcast, 50);
  const p95 = percentile(broadcast, 95);
  report([
    {
      figure: 'Realtime broadcast from database: insert → callback p50 (Supabase publishes 46 ms)',
      value: p50,
      unit: 'ms',
      goal: '< 46 ms',
      met: p50 < 46,
      issue: 3,
    },
    {
      figure: 'Realtime broadcast from database: insert → callback p95 (Supabase publishes 132 ms)',
      value: p95,
      unit: 'ms',
      goal: '< 132 ms',
      met: p95 < 132,
      issue: 3,
    },
    {
      figure: 'Realtime broadcast from database p50 vs plain NOTIFY → LISTEN p50 (ratio)',
      value: p50 / percentile(plain, 50),
      unit: '×',
      goal: '',
      met: null,
      issue: 3,
    },
    {
      figure: 'Realtime postgres_changes (RLS): insert → callback p50',
      value: percentile(pgChanges, 50),
      unit: 'ms',
      goal: '< 46 ms',
      met: percentile(pgChanges, 50) < 46,
      issue: 3,
    },
    {
      figure: 'Realtime postgres_changes (RLS): insert → callback p95',
      value: percentile(pgChanges, 95),
      unit: 'ms',
      goal: '< 132 ms',
      met: percentile(pgChanges, 95) < 132,
      issue: 3,
    },
    {
      figure: `Realtime broadcast: messages/s one channel delivers to ${SUBSCRIBERS} subscribers`,
      value: Math.round(perSecond),
      unit: 'msg/s',
      goal: '',
      met: null,
      issue: 3,
    },
  ]);
} finally {
  for (const c of clients) {
    await c.removeAllChannels();
    c.realtime.disconnect();
  }
  await db.end();
  await stack.stop();
}
