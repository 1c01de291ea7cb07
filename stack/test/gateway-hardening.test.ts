/** The gateway against slow and flooding clients: slow bodies and headers, connection caps, unauthenticated bodies. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, startFront, type Front } from './hostile-harness.ts';

/** A raw TCP client: everything the server sent, and when it closed the connection. */
function raw(url: string): { socket: net.Socket; data: () => string; closed: Promise<number> } {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let text = '';
  socket.on('data', (b) => (text += b.toString()));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  return { socket, data: () => text, closed };
}

const bodyOf = (response: string) =>
  JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { code: string; message: string };

describe('timeouts', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront({ gateway: { headersTimeoutMs: 1_000, bodyIdleTimeoutMs: 500, bodyTimeoutMs: 2_000 } });
  });
  afterAll(() => front.stop());

  const post = (c: ReturnType<typeof raw>, length: number) =>
    c.socket.write(
      `POST /rest/v1/rpc/nothing HTTP/1.1\r\nhost: x\r\napikey: ${env.SUPABASE_ANON_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n{"a":`,
    );

  it('answers a body that stops arriving with 408 and closes', async () => {
    const c = raw(front.url);
    post(c, 1000);
    await c.closed;
    expect(c.data()).toMatch(/^HTTP\/1.1 408 /);
    expect(bodyOf(c.data())).toEqual({
      code: 'request_timeout',
      message: 'Request body stalled: no data for 0.5 s; send the whole body without pauses',
    });
  });

  it('answers a body that trickles in for longer than the whole-body limit with 408', async () => {
    const c = raw(front.url);
    post(c, 1000);
    const drip = setInterval(() => c.socket.write('1'), 100);
    await c.closed;
    clearInterval(drip);
    expect(c.data()).toMatch(/^HTTP\/1.1 408 /);
    expect(bodyOf(c.data()).message).toBe(
      'Request body too slow: not complete after 2 s; send the body faster or in smaller requests',
    );
  });

  it('closes a connection whose headers never finish', async () => {
    const c = raw(front.url);
    const t0 = performance.now();
    c.socket.write('GET /rest/v1/x HTTP/1.1\r\nhost: x\r\n');
    const drip = setInterval(() => c.socket.write('x'), 200);
    const closedAt = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 8_000))]);
    clearInterval(drip);
    c.socket.destroy();
    expect(closedAt).toBeGreaterThan(t0);
    expect(c.data()).toMatch(/^HTTP\/1.1 408 /);
  });
});

describe('connection caps', () => {
  let front: Front;
  beforeAll(async () => {
    front = await startFront({ gateway: { maxConnectionsPerAddress: 3, maxConnections: 4 } });
  });
  afterAll(() => front.stop());

  it('answers connections over the per-address and overall caps with 429 and closes them', async () => {
    const held = [raw(front.url), raw(front.url), raw(front.url)];
    await Promise.all(held.map((c) => new Promise((r) => c.socket.once('connect', r))));
    await new Promise((r) => setTimeout(r, 100));
    const over = raw(front.url);
    over.socket.write('GET /rest/v1/ HTTP/1.1\r\nhost: x\r\n\r\n');
    await over.closed;
    expect(over.data()).toMatch(/^HTTP\/1.1 429 /);
    expect(bodyOf(over.data())).toEqual({
      code: 'too_many_connections',
      message:
        'Too many open connections from your address: the limit is 3 (VIBE_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS); reuse connections or retry later',
    });
    // the held connections still work (the REST root answers the secret key only, as hosted)
    held[0]!.socket.write(`GET /rest/v1/ HTTP/1.1\r\nhost: x\r\napikey: ${env.SUPABASE_SERVICE_ROLE_KEY}\r\n\r\n`);
    for (let i = 0; i < 200 && !held[0]!.data().includes('\r\n\r\n'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(held[0]!.data()).toMatch(/^HTTP\/1.1 200 /);
    // another address: one more fits under the overall cap of 4, the next does not
    const { port } = new URL(front.url);
    const other = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: '127.0.0.2' });
    await new Promise((r) => other.once('connect', r));
    const other2 = net.connect({ port: Number(port), host: '127.0.0.1', localAddress: '127.0.0.2' });
    let text = '';
    other2.on('data', (b) => (text += b.toString()));
    await new Promise((r) => other2.once('close', r));
    expect(bodyOf(text).message).toMatch(/^Too many open connections to this server: the limit is 4 /);
    // closing frees the place
    held[1]!.socket.destroy();
    await held[1]!.closed;
    await new Promise((r) => setTimeout(r, 100));
    const again = await fetch(`${front.url}/rest/v1/`, { headers: { connection: 'close' } });
    expect(again.status).toBe(401);
    for (const c of held) c.socket.destroy();
    other.destroy();
  });
});

describe('unauthenticated bodies', () => {
  it('answers 401 and closes the connection instead of reading a big body sent without an API key', async () => {
    const total = 64 * 1024 * 1024;
    const c = raw(env.SUPABASE_URL);
    await new Promise((r) => c.socket.once('connect', r));
    c.socket.write(
      `POST /rest/v1/anything HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`,
    );
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let sent = 0;
    let closed = false;
    void c.closed.then(() => (closed = true));
    // paced like a real upload, so the server has every chance to read it if it wanted to; like HTTP clients
    // do, it stops sending once a response arrives (and so reads the response before the server's close)
    while (sent < total && !closed && !c.socket.destroyed && c.data() === '') {
      if (!c.socket.write(chunk)) await Promise.race([new Promise((r) => c.socket.once('drain', r)), c.closed]);
      sent += chunk.length;
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 2_000))]);
    expect(c.data()).toMatch(/^HTTP\/1.1 401 /);
    expect(c.data()).toMatch(/connection: close/i);
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(total);
    c.socket.destroy();
  });
});
