import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { client, closeClients, env, Inbox, signToken, subscribe, uid } from './realtime-helpers.ts';

afterAll(closeClients);

const wsUrl = (params: string) => `${env.SUPABASE_URL.replace('http', 'ws')}/realtime/v1/websocket?${params}`;

/** Opens a raw socket; resolves with it, or with the HTTP status and body of a refused upgrade. */
function open(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws?: WebSocket; status?: number; body?: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (b: Buffer) => (text += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    ws.once('error', reject);
  });
}

/** Frames a raw socket receives. */
function frames(ws: WebSocket): Inbox<{ text?: unknown; binary?: Buffer }> {
  const inbox = new Inbox<{ text?: unknown; binary?: Buffer }>();
  ws.on('message', (data: Buffer, isBinary) =>
    inbox.push(isBinary ? { binary: data } : { text: JSON.parse(data.toString()) }),
  );
  return inbox;
}

describe('realtime websocket upgrade', () => {
  it('refuses a missing, malformed, badly signed or expired apikey with the hosted 401 body', async () => {
    expect(await open(wsUrl('vsn=2.0.0'))).toEqual({ status: 401, body: { error: 'API key is missing' } });
    expect(await open(wsUrl('apikey=nope&vsn=2.0.0'))).toEqual({
      status: 401,
      body: { error: 'The token provided is not a valid JWT' },
    });
    const forged = env.SUPABASE_ANON_KEY.slice(0, -4) + 'AAAA';
    expect(await open(wsUrl(`apikey=${forged}&vsn=2.0.0`))).toEqual({
      status: 401,
      body: { error: 'Failed to validate JWT signature' },
    });
    const expired = await signToken('00000000-0000-0000-0000-000000000000', { expiresIn: -120 });
    expect(await open(wsUrl(`apikey=${expired}`))).toEqual({ status: 401, body: { error: 'Token has expired' } });
    const noRole = await signToken('x', { role: undefined as unknown as string, extra: { role: undefined } });
    expect((await open(wsUrl(`apikey=${noRole}`))).body).toEqual({
      error: 'Fields `role` and `exp` are required in JWT',
    });
  });

  it('accepts the anon key, the publishable key, and the x-api-key header', async () => {
    for (const r of [
      await open(wsUrl(`apikey=${env.SUPABASE_ANON_KEY}&vsn=2.0.0`)),
      await open(wsUrl(`apikey=${env.SUPABASE_PUBLISHABLE_KEY}&vsn=2.0.0`)),
      await open(wsUrl('vsn=2.0.0'), { 'x-api-key': env.SUPABASE_ANON_KEY }),
    ]) {
      expect(r.ws).toBeDefined();
      r.ws!.close();
    }
  });
});

describe('realtime Phoenix protocol', () => {
  it('vsn 2.0.0: heartbeats, joins, binary kind-3 pushes relayed as kind-4 frames, unmatched topics, leave', async () => {
    const topic = `realtime:raw-${uid()}`;
    const { ws: a } = await open(wsUrl(`apikey=${env.SUPABASE_ANON_KEY}&vsn=2.0.0`));
    const { ws: b } = await open(wsUrl(`apikey=${env.SUPABASE_ANON_KEY}&vsn=2.0.0`));
    const inA = frames(a!);
    const inB = frames(b!);
    a!.send(JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]));
    expect((await inA.next()).text).toEqual([null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);

    const join = {
      config: {
        broadcast: { self: false, ack: true },
        presence: { key: '', enabled: false },
        postgres_changes: [],
        private: false,
      },
    };
    a!.send(JSON.stringify(['2', '2', topic, 'phx_join', join]));
    b!.send(JSON.stringify(['5', '5', topic, 'phx_join', join]));
    expect((await inA.next()).text).toEqual([
      '2',
      '2',
      topic,
      'phx_reply',
      { status: 'ok', response: { postgres_changes: [] } },
    ]);
    expect((await inB.next()).text).toEqual([
      '5',
      '5',
      topic,
      'phx_reply',
      { status: 'ok', response: { postgres_changes: [] } },
    ]);

    // kind 3: join_ref, ref, topic, event, metadata lengths, encoding 1 (JSON), then the bytes
    const parts = ['2', '3', topic, 'hello', ''].map((s) => Buffer.from(s));
    const payload = Buffer.from(JSON.stringify({ x: 1 }));
    a!.send(Buffer.concat([Buffer.from([3, ...parts.map((p) => p.length), 1]), ...parts, payload]));
    expect((await inA.next()).text).toEqual(['2', '3', topic, 'phx_reply', { status: 'ok', response: {} }]);
    const relayed = (await inB.next()).binary!;
    const t = Buffer.from(topic);
    expect(relayed).toEqual(Buffer.concat([Buffer.from([4, t.length, 5, 0, 1]), t, Buffer.from('hello'), payload]));

    a!.send(
      JSON.stringify(['9', '10', 'realtime:not-joined', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }]),
    );
    expect((await inA.next()).text).toEqual([
      '9',
      '10',
      'realtime:not-joined',
      'phx_reply',
      { status: 'error', response: { reason: 'unmatched topic' } },
    ]);

    a!.send(JSON.stringify(['2', '11', topic, 'phx_leave', {}]));
    expect((await inA.next()).text).toEqual(['2', '11', topic, 'phx_reply', { status: 'ok', response: {} }]);
    a!.close();
    b!.close();
  });

  it('vsn 1.0.0: object frames, and broadcasts between a 1.0.0 and a 2.0.0 client', async () => {
    const { ws } = await open(wsUrl(`apikey=${env.SUPABASE_ANON_KEY}&vsn=1.0.0`));
    const inbox = frames(ws!);
    ws!.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1', join_ref: null }));
    expect((await inbox.next()).text).toEqual({
      topic: 'phoenix',
      event: 'phx_reply',
      payload: { status: 'ok', response: {} },
      ref: '1',
      join_ref: null,
    });
    ws!.close();

    const topic = `mixed-${uid()}`;
    const v1 = client(undefined, { vsn: '1.0.0' });
    const v2 = client();
    const toV1 = new Inbox<{ payload: unknown }>();
    const toV2 = new Inbox<{ payload: unknown }>();
    const c1 = v1.channel(topic).on('broadcast', { event: 'm' }, toV1.push);
    const c2 = v2.channel(topic).on('broadcast', { event: 'm' }, toV2.push);
    await Promise.all([subscribe(c1), subscribe(c2)]);
    expect(v1.realtime.endpointURL()).toContain('vsn=1.0.0');
    await c1.send({ type: 'broadcast', event: 'm', payload: { from: 1 } });
    expect((await toV2.next()).payload).toEqual({ from: 1 });
    await c2.send({ type: 'broadcast', event: 'm', payload: { from: 2 } });
    expect((await toV1.next()).payload).toEqual({ from: 2 });
  });

  it('rejects a join whose access token has expired, with the hosted reason', async () => {
    const expired = await signToken('00000000-0000-0000-0000-000000000001', { expiresIn: -5 });
    const ch = client(expired).channel(`exp-${uid()}`);
    await expect(subscribe(ch)).rejects.toThrow(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
  });

  it('closes a channel when its token expires, after a system message', async () => {
    const token = await signToken('00000000-0000-0000-0000-000000000002', { expiresIn: 2 });
    const system = new Inbox<{ extension: string; status: string; message: string }>();
    const statuses = new Inbox<string>();
    const ch = client(token).channel(`exp-${uid()}`).on('system', {}, system.push);
    ch.subscribe((s) => statuses.push(s));
    expect(await statuses.next()).toBe('SUBSCRIBED');
    expect(await system.next(5000)).toMatchObject({
      extension: 'system',
      status: 'error',
      message: expect.stringMatching(/^Token has expired \d+ seconds ago$/),
    });
    expect(await statuses.next()).toBe('CLOSED');
  });
});
