import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  client,
  closeClients,
  closeSql,
  Inbox,
  makeUser,
  setToken,
  signToken,
  sql,
  subscribe,
  uid,
} from './realtime-helpers.ts';

// Membership decides who may read and write each private topic, through policies on realtime.messages.
const id = uid();
const members = `rt_members_${id}`;
const readPolicy = `rt ${id}: members read their topics`;
const writePolicy = `rt ${id}: writers send to their topics`;

beforeAll(async () => {
  await sql(
    `create table public.${members} (topic text not null, user_id uuid not null, can_write boolean not null default true)`,
  );
  await sql(`grant select on public.${members} to authenticated`);
  await sql(`create policy "${readPolicy}" on realtime.messages for select to authenticated using (
    realtime.messages.extension in ('broadcast', 'presence')
    and exists (select 1 from public.${members} m where m.topic = (select realtime.topic()) and m.user_id = (select auth.uid())))`);
  await sql(`create policy "${writePolicy}" on realtime.messages for insert to authenticated with check (
    realtime.messages.extension in ('broadcast', 'presence')
    and exists (select 1 from public.${members} m where m.topic = (select realtime.topic()) and m.user_id = (select auth.uid()) and m.can_write))`);
});

afterAll(async () => {
  await closeClients();
  await sql(`drop policy if exists "${readPolicy}" on realtime.messages`);
  await sql(`drop policy if exists "${writePolicy}" on realtime.messages`);
  await sql(`drop table if exists public.${members}`);
  await closeSql();
});

type Msg = { event: string; payload: Record<string, unknown> };

describe('realtime private channels', () => {
  it('refuses a non-member with the hosted reason and admits a member', async () => {
    const topic = `team-${uid()}`;
    const [member, stranger] = [await makeUser(), await makeUser()];
    await sql(`insert into public.${members} (topic, user_id) values ($1, $2)`, [topic, member.id]);

    const denied = client(stranger.token).channel(topic, { config: { private: true } });
    await expect(subscribe(denied)).rejects.toThrow(
      `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`,
    );
    const anon = client().channel(topic, { config: { private: true } });
    await expect(subscribe(anon)).rejects.toThrow(/^Unauthorized: You do not have permissions/);

    const inbox = new Inbox<Msg>();
    const ok = client(member.token)
      .channel(topic, { config: { private: true, broadcast: { self: true } } })
      .on('broadcast', { event: 'ping' }, inbox.push);
    await subscribe(ok);
    await ok.send({ type: 'broadcast', event: 'ping', payload: { from: 'member' } });
    expect((await inbox.next()).payload).toEqual({ from: 'member' });
  });

  it('checks write at the first send: a read-only member is heard by nobody', async () => {
    const topic = `team-${uid()}`;
    const [reader, writer] = [await makeUser(), await makeUser()];
    await sql(`insert into public.${members} (topic, user_id, can_write) values ($1, $2, false), ($1, $3, true)`, [
      topic,
      reader.id,
      writer.id,
    ]);
    const heardByWriter = new Inbox<Msg>();
    const heardByReader = new Inbox<Msg>();
    const w = client(writer.token)
      .channel(topic, { config: { private: true } })
      .on('broadcast', { event: '*' }, heardByWriter.push);
    const r = client(reader.token)
      .channel(topic, { config: { private: true, broadcast: { ack: true } } })
      .on('broadcast', { event: '*' }, heardByReader.push);
    await Promise.all([subscribe(w), subscribe(r)]);

    expect(await r.send({ type: 'broadcast', event: 'e', payload: { x: 1 } }, { timeout: 1500 })).toBe('timed out');
    expect(await heardByWriter.quiet()).toBe(true);
    await w.send({ type: 'broadcast', event: 'e', payload: { x: 2 } });
    expect((await heardByReader.next()).payload).toEqual({ x: 2 });
  });

  it('re-checks read on a new access token and closes the channel when it was revoked', async () => {
    const topic = `team-${uid()}`;
    const member = await makeUser();
    await sql(`insert into public.${members} (topic, user_id) values ($1, $2)`, [topic, member.id]);
    const c = client(member.token);
    const system = new Inbox<{ extension: string; status: string; message: string }>();
    const statuses = new Inbox<string>();
    const ch = c.channel(topic, { config: { private: true } }).on('system', {}, system.push);
    await new Promise<void>((resolve) => ch.subscribe((s) => (statuses.push(s), s === 'SUBSCRIBED' && resolve())));
    await statuses.next();

    await sql(`delete from public.${members} where topic = $1`, [topic]);
    await setToken(c, await signToken(member.id, { expiresIn: 1800 }));
    const msg = await system.next();
    expect(msg).toMatchObject({
      extension: 'system',
      status: 'error',
      message: `You no longer have permission to read from this Channel topic: ${topic}`,
    });
    expect(await statuses.next()).toBe('CLOSED');
  });

  it('presence on a private channel needs the presence policies', async () => {
    const topic = `team-${uid()}`;
    const [a, b] = [await makeUser(), await makeUser()];
    await sql(`insert into public.${members} (topic, user_id) values ($1, $2), ($1, $3)`, [topic, a.id, b.id]);
    const chA = client(a.token).channel(topic, { config: { private: true, presence: { key: 'a' } } });
    const joins = new Inbox<{ key: string }>();
    chA.on('presence', { event: 'join' }, joins.push);
    await subscribe(chA);
    const chB = client(b.token).channel(topic, { config: { private: true, presence: { key: 'b' } } });
    await subscribe(chB);
    expect(await chB.track({ typing: false })).toBe('ok');
    expect((await joins.next()).key).toBe('b');
  });

  it('delivers database broadcasts on private topics to members only', async () => {
    const topic = `team-${uid()}`;
    const member = await makeUser();
    await sql(`insert into public.${members} (topic, user_id) values ($1, $2)`, [topic, member.id]);
    const inbox = new Inbox<Msg>();
    await subscribe(
      client(member.token)
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: 'alert' }, inbox.push),
    );
    const publicSameName = new Inbox<Msg>();
    await subscribe(client().channel(topic).on('broadcast', { event: 'alert' }, publicSameName.push));

    await sql(`select realtime.send('{"level":"critical"}'::jsonb, 'alert', $1, true)`, [topic]);
    const got = await inbox.next();
    expect(got.payload).toMatchObject({ level: 'critical' });
    expect(typeof got.payload.id).toBe('string');
    expect(await publicSameName.quiet()).toBe(true);
  });

  it('replays the newest stored broadcasts at join with config.broadcast.replay', async () => {
    const topic = `team-${uid()}`;
    const member = await makeUser();
    await sql(`insert into public.${members} (topic, user_id) values ($1, $2)`, [topic, member.id]);
    const since = Date.now() - 60_000;
    for (const n of [1, 2, 3])
      await sql(`select realtime.send(jsonb_build_object('n', $2::int), 'note', $1, true)`, [topic, n]);
    const inbox = new Inbox<Msg & { meta?: { replayed?: boolean; id: string } }>();
    const ch = client(member.token).channel(topic, {
      config: { private: true, broadcast: { replay: { since, limit: 2 } } },
    });
    await subscribe(ch.on('broadcast', { event: 'note' }, inbox.push));
    const [a, b] = [await inbox.next(), await inbox.next()];
    expect([a.payload.n, b.payload.n]).toEqual([2, 3]);
    expect(a.meta).toMatchObject({ replayed: true, id: a.payload.id });
    await sql(`select realtime.send('{"n":4}'::jsonb, 'note', $1, true)`, [topic]);
    const live = await inbox.next();
    expect(live.payload.n).toBe(4);
    expect(live.meta?.replayed).toBeUndefined();
  });
});
