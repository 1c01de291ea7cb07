/**
 * Realtime under hostile load: each limit answers with hosted Realtime's reply, and a flood of private joins
 * from one anon client cannot take the database connections REST reads need.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, RawSocket, startFront, type Front } from './hostile-harness.ts';

const sockets: RawSocket[] = [];
const open = (front: Front, opts: { localAddress?: string } = {}) => {
  const s = new RawSocket(front.url, opts);
  sockets.push(s);
  return s;
};
const reason = (f: { payload: { response?: { reason?: string } } }) => f.payload.response?.reason;

afterAll(() => {
  for (const s of sockets) s.close();
});

describe('per-socket limits', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront({ realtime: { maxChannelsPerClient: 3, maxJoinsPerSecond: 5 } });
  });
  afterAll(() => front.stop());

  it('refuses a channel over max_channels_per_client with ChannelRateLimitReached', async () => {
    const s = open(front);
    expect(await s.opened).toEqual({ ok: true });
    const t = randomUUID();
    for (const n of [1, 2, 3]) expect((await s.reply(s.join(`${t}-${n}`))).payload.status).toBe('ok');
    const refused = await s.reply(s.join(`${t}-4`));
    expect(refused.payload).toEqual({
      status: 'error',
      response: { reason: 'ChannelRateLimitReached: Too many channels' },
    });
    // re-joining a topic the socket holds replaces it and is not a new channel
    expect((await s.reply(s.join(`${t}-1`))).payload.status).toBe('ok');
  });

  it('refuses joins over max_joins_per_second with ClientJoinRateLimitReached and disconnects the socket', async () => {
    const s = open(front);
    expect(await s.opened).toEqual({ ok: true });
    const topic = randomUUID();
    const refs = Array.from({ length: 7 }, () => s.join(topic));
    const last = await s.reply(refs[5]!);
    expect(last.payload).toEqual({
      status: 'error',
      response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
    });
    await s.closed;
    expect(s.frames.some((f) => f.ref === refs[6])).toBe(false);
  });
});

describe('joins per second overall', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront({ realtime: { maxJoinsPerSecondOverall: 4 } });
  });
  afterAll(() => front.stop());

  it("counts the joins of all sockets together, as hosted counts a tenant's, and refuses new sockets with 429 while over", async () => {
    const a = open(front);
    const b = open(front);
    expect(await a.opened).toEqual({ ok: true });
    expect(await b.opened).toEqual({ ok: true });
    const topic = randomUUID();
    const c = open(front);
    expect(await c.opened).toEqual({ ok: true });
    const sent = [a, a, b, b].map((s, i) => ({ s, ref: s.join(`${topic}-${i}`) }));
    await new Promise((r) => setTimeout(r, 50)); // the fifth join arrives last
    const fifth = await c.reply(c.join(`${topic}-5`));
    expect(fifth.payload).toEqual({
      status: 'error',
      response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' },
    });
    const late = await open(front).opened;
    for (const { s, ref } of sent) expect((await s.reply(ref)).payload.status).toBe('ok');
    await c.closed;
    expect(late).toEqual({ ok: false, status: 429, body: JSON.stringify({ error: 'Too many joins per second' }) });
  });
});

describe('socket limits at connect', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront({ realtime: { maxSocketsPerAddress: 2, maxConcurrentUsers: 3 } });
  });
  afterAll(() => front.stop());

  it('answers sockets over the per-address cap with 429, and over max_concurrent_users with hosted 429 "Too many connected users"', async () => {
    const a1 = open(front);
    const a2 = open(front);
    expect(await a1.opened).toEqual({ ok: true });
    expect(await a2.opened).toEqual({ ok: true });
    const a3 = await open(front).opened;
    expect(a3.ok).toBe(false);
    if (a3.ok) return;
    expect(a3.status).toBe(429);
    expect(JSON.parse(a3.body).error).toMatch(/^Too many connections from this address: the limit is 2 open sockets/);
    // another address still gets in until the overall cap
    const b1 = open(front, { localAddress: '127.0.0.2' });
    expect(await b1.opened).toEqual({ ok: true });
    const b2 = await open(front, { localAddress: '127.0.0.2' }).opened;
    expect(b2).toEqual({ ok: false, status: 429, body: JSON.stringify({ error: 'Too many connected users' }) });
    // a closed socket frees its place
    a1.close();
    await a1.closed;
    await new Promise((r) => setTimeout(r, 100));
    expect(await open(front).opened).toEqual({ ok: true });
  });
});

describe('private-join flood', () => {
  let front: Front;
  let db: pg.Client;
  const prefix = `hostile-${randomUUID().slice(0, 8)}`;
  const policy = `Flood test topics ${prefix} take a second to authorize`;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
    await db.connect();
    // a slow policy stands in for an expensive RLS check; CASE keeps other files' topics away from pg_sleep
    await db.query(`create policy "${policy}" on realtime.messages for select to anon using (
      case when (select realtime.topic()) like '${prefix}-%' then pg_sleep(1) is not null else false end)`);
    await db.query(`create table if not exists public.${prefix.replace('-', '_')} (id int primary key)`);
    await db.query(`grant select on public.${prefix.replace('-', '_')} to anon`);
    // the REST pool has 4 connections, as many as a few private joins would take without a pool of their own
    front = await startFront({
      poolSize: 4,
      realtime: { authPoolSize: 1, authQueueLength: 2, maxChannelsPerClient: 100, maxJoinsPerSecond: 100 },
    });
  });
  afterAll(async () => {
    await front.stop();
    await db.query(`drop policy if exists "${policy}" on realtime.messages`);
    await db.query(`drop table if exists public.${prefix.replace('-', '_')}`);
    await db.end();
  });

  it('refuses joins beyond the authorization queue with IncreaseConnectionPool, and a REST read during the flood does not wait for them', async () => {
    const flooders = [open(front), open(front), open(front)];
    for (const s of flooders) expect(await s.opened).toEqual({ ok: true });
    const replies: Promise<{ at: number; reason: string | undefined; status: string | undefined }>[] = [];
    for (const s of flooders) {
      for (let i = 0; i < 8; i++) {
        const ref = s.join(`${prefix}-${i}`, { private: true });
        replies.push(
          s.reply(ref, 20_000).then((f) => ({ at: performance.now(), reason: reason(f), status: f.payload.status })),
        );
      }
    }
    await new Promise((r) => setTimeout(r, 300)); // the checks are running (each takes 1 s)
    const res = await fetch(`${front.url}/rest/v1/${prefix.replace('-', '_')}?select=id`, {
      headers: { apikey: env.SUPABASE_ANON_KEY },
    });
    const restDone = performance.now();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    const all = await Promise.all(replies);
    const busy = all.filter((r) => r.reason === 'IncreaseConnectionPool: Please increase your connection pool size');
    const checked = all.filter((r) => r.status === 'ok');
    // 1 connection + 2 waiting are checked; the other joins are refused at once instead of queueing
    expect(checked.length).toBe(3);
    expect(busy.length).toBe(all.length - 3);
    // the REST read did not queue behind the slow authorization checks: it finished before the first of them
    expect(restDone).toBeLessThan(Math.min(...checked.map((r) => r.at)));
  });
});
