import { afterAll, describe, expect, it } from 'vitest';
import { client, closeClients, env, Inbox, subscribe, uid } from './realtime-helpers.ts';

afterAll(closeClients);

type Msg = { event: string; payload: Record<string, unknown>; type: string };

describe('realtime broadcast between clients', () => {
  it('relays to other subscribers, and to the sender only with self: true', async () => {
    const topic = `room-${uid()}`;
    const a = client();
    const b = client();
    const toA = new Inbox<Msg>();
    const toB = new Inbox<Msg>();
    const chA = a.channel(topic).on('broadcast', { event: 'hello' }, toA.push);
    const chB = b.channel(topic, { config: { broadcast: { self: true } } }).on('broadcast', { event: '*' }, toB.push);
    await Promise.all([subscribe(chA), subscribe(chB)]);

    expect(await chA.send({ type: 'broadcast', event: 'hello', payload: { n: 1, text: 'hé ✓' } })).toBe('ok');
    const got = await toB.next();
    expect(got).toMatchObject({ type: 'broadcast', event: 'hello', payload: { n: 1, text: 'hé ✓' } });
    expect(await toA.quiet()).toBe(true); // self is false for A

    await chB.send({ type: 'broadcast', event: 'hello', payload: { n: 2 } });
    expect((await toA.next()).payload).toEqual({ n: 2 });
    expect((await toB.next()).payload).toEqual({ n: 2 }); // B sees its own message
  });

  it('acknowledges a send with ack: true', async () => {
    const topic = `ack-${uid()}`;
    const ch = client().channel(topic, { config: { broadcast: { ack: true } } });
    await subscribe(ch);
    const t0 = performance.now();
    expect(await ch.send({ type: 'broadcast', event: 'x', payload: {} })).toBe('ok');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('keeps public and private topics of the same name apart', async () => {
    const topic = `split-${uid()}`;
    const pub = client().channel(topic);
    const inbox = new Inbox<Msg>();
    await subscribe(pub.on('broadcast', { event: '*' }, inbox.push));
    const res = await fetch(`${env.SUPABASE_URL}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: {
        apikey: env.SUPABASE_SERVICE_ROLE_KEY,
        authorization: `Bearer ${env.SUPABASE_SERVICE_ROLE_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ messages: [{ topic, event: 'secret', payload: { a: 1 }, private: true }] }),
    });
    expect(res.status).toBe(202);
    expect(await inbox.quiet()).toBe(true);
  });
});

describe('realtime HTTP broadcast API', () => {
  it('POST /api/broadcast delivers to subscribers, as channel.send does before the channel is joined', async () => {
    const topic = `http-${uid()}`;
    const inbox = new Inbox<Msg>();
    await subscribe(client().channel(topic).on('broadcast', { event: 'note' }, inbox.push));

    // a channel that never subscribed falls back to the REST endpoint
    const sender = client().channel(topic);
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(await sender.send({ type: 'broadcast', event: 'note', payload: { via: 'rest' } })).toBe('ok');
    } finally {
      console.warn = warn;
    }
    expect(await inbox.next()).toMatchObject({ event: 'note', payload: { via: 'rest' } });

    const single = await client().channel(topic).httpSend('note', { via: 'single' });
    expect(single).toEqual({ success: true });
    expect((await inbox.next()).payload).toEqual({ via: 'single' });
  });

  it('refuses a bad token and a malformed batch', async () => {
    const bad = await fetch(`${env.SUPABASE_URL}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: env.SUPABASE_ANON_KEY, authorization: 'Bearer not-a-jwt', 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 't', event: 'e', payload: {} }] }),
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Unauthorized' });
    const malformed = await fetch(`${env.SUPABASE_URL}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: 't' }] }),
    });
    expect(malformed.status).toBe(422);
    expect(await malformed.json()).toEqual({
      errors: { messages: [{ event: ["can't be blank"], payload: ["can't be blank"] }] },
    });
  });

  it('answers bodies that are not a batch with the hosted 4xx, and delivers nothing', async () => {
    const topic = `bad-body-${uid()}`;
    const inbox = new Inbox<Msg>();
    await subscribe(client().channel(topic).on('broadcast', { event: '*' }, inbox.push));
    const post = (path: string, body: string) =>
      fetch(`${env.SUPABASE_URL}/realtime/v1/api/broadcast${path}`, {
        method: 'POST',
        headers: { apikey: env.SUPABASE_SERVICE_ROLE_KEY, 'content-type': 'application/json' },
        body,
      });
    // As Phoenix parses them: a JSON value that is not an object carries no `messages` (can't be blank);
    // `messages` of the wrong shape, or holding a non-object, is invalid.
    const blank = ['null', '1', '"text"', 'true', '[]', '', '{}', '{"messages":null}', '{"messages":[]}'];
    const invalid = [
      '{"messages":5}',
      '{"messages":"x"}',
      '{"messages":{"topic":"t"}}',
      '{"messages":[null]}',
      '{"messages":[1]}',
      '{"messages":[[]]}',
      `{"messages":[{"topic":"${topic}","event":"e","payload":{}},null]}`,
    ];
    for (const body of blank) {
      const res = await post('', body);
      expect(res.status, body).toBe(422);
      expect(await res.json(), body).toEqual({ errors: { messages: ["can't be blank"] } });
    }
    for (const body of invalid) {
      const res = await post('', body);
      expect(res.status, body).toBe(422);
      expect(await res.json(), body).toEqual({ errors: { messages: ['is invalid'] } });
    }
    for (const path of ['', `/${topic}/events/e`]) {
      const res = await post(path, '{"messages":');
      expect(res.status, path).toBe(400);
      expect((await res.json()).message, path).toMatch(/not valid JSON/);
    }
    for (const body of ['null', '']) {
      const res = await post(`/${topic}/events/e`, body);
      expect(res.status, body).toBe(422);
      expect(await res.json()).toEqual({ errors: { payload: ["can't be blank"] } });
    }
    const badTopic = await post('/%E0%A4%A/events/e', '{}');
    expect(badTopic.status).toBe(400);
    expect((await badTopic.json()).message).toMatch(/topic/);
    expect(await inbox.quiet()).toBe(true);
  });
});

describe('realtime presence', () => {
  it('tracks, syncs state to late joiners, and reports leaves', async () => {
    const topic = `presence-${uid()}`;
    const a = client().channel(topic, { config: { presence: { key: 'alice' } } });
    const joinsA = new Inbox<{ key: string; newPresences: Record<string, unknown>[] }>();
    const leavesA = new Inbox<{ key: string; leftPresences: Record<string, unknown>[] }>();
    a.on('presence', { event: 'join' }, joinsA.push).on('presence', { event: 'leave' }, leavesA.push);
    await subscribe(a);
    expect(await a.track({ online: true, n: 1 })).toBe('ok');
    const ownJoin = await joinsA.next();
    expect(ownJoin.key).toBe('alice');
    expect(ownJoin.newPresences[0]).toMatchObject({ online: true, n: 1 });
    expect(typeof ownJoin.newPresences[0]!.presence_ref).toBe('string');

    // a late joiner gets presence_state with alice already there
    const b = client().channel(topic, { config: { presence: { key: 'bob' } } });
    const synced = new Inbox<true>();
    b.on('presence', { event: 'sync' }, () => synced.push(true));
    await subscribe(b);
    await synced.next();
    expect(b.presenceState()).toMatchObject({ alice: [{ online: true, n: 1 }] });

    await b.track({ online: true });
    expect((await joinsA.next()).key).toBe('bob');
    expect(Object.keys(a.presenceState()).sort()).toEqual(['alice', 'bob']);

    expect(await b.untrack()).toBe('ok');
    const left = await leavesA.next();
    expect(left.key).toBe('bob');
    expect(Object.keys(a.presenceState())).toEqual(['alice']);
  });

  it('removes the presence of a client that leaves the channel', async () => {
    const topic = `presence-leave-${uid()}`;
    const watcher = client().channel(topic, { config: { presence: { key: 'w' } } });
    const leaves = new Inbox<{ key: string }>();
    watcher.on('presence', { event: 'leave' }, leaves.push);
    await subscribe(watcher);
    const c = client();
    const gone = c.channel(topic, { config: { presence: { key: 'gone' } } });
    await subscribe(gone);
    await gone.track({ here: true });
    await c.removeChannel(gone);
    expect((await leaves.next()).key).toBe('gone');
  });
});
