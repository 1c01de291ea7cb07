/**
 * What the web server's Supabase client sends on a visitor's behalf (src/lib/server/auth-calls.ts), seen by a
 * local HTTP receiver: the secret key and Sb-Forwarded-For only on POST /auth/v1/token and /auth/v1/signup of
 * the project, never on REST or other Auth calls, and refreshes counted per visitor address.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthCalls } from '../src/lib/server/auth-calls.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base = '';
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res
        .writeHead(req.url!.includes('busy') ? 429 : 200, { 'content-type': 'application/json', 'retry-after': '42' })
        .end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const anon = { apikey: 'anon-key', authorization: 'Bearer anon-key', 'content-type': 'application/json' };

async function send(
  calls: AuthCalls,
  path: string,
  method = 'POST',
  headers: Record<string, string> = anon,
): Promise<{ status: number; seen: Seen | undefined }> {
  const before = seen.length;
  const res = await calls.fetch(`${base}${path}`, {
    method,
    headers,
    body: method === 'POST' ? '{"email":"a@example.test"}' : undefined,
  });
  return { status: res.status, seen: seen.length > before ? seen.at(-1) : undefined };
}

describe('AuthCalls.fetch', () => {
  it('sends the secret key and the visitor address on sign-in, sign-up and refresh, body unchanged', async () => {
    const calls = new AuthCalls(base, () => '::ffff:203.0.113.7', 'sb_secret_test');
    for (const path of [
      '/auth/v1/token?grant_type=password',
      '/auth/v1/signup',
      '/auth/v1/token?grant_type=refresh_token',
    ]) {
      const { seen: s } = await send(calls, path);
      expect(s?.headers).toMatchObject({
        apikey: 'sb_secret_test',
        authorization: 'Bearer sb_secret_test',
        'sb-forwarded-for': '203.0.113.7',
      });
      expect(s?.body).toBe('{"email":"a@example.test"}');
    }
  });

  it('never sends the secret key anywhere else: REST, other Auth endpoints, GETs, other origins', async () => {
    const calls = new AuthCalls(base, () => '203.0.113.7', 'sb_secret_test');
    for (const [path, method] of [
      ['/rest/v1/teams', 'GET'],
      ['/rest/v1/rpc/create_host', 'POST'],
      ['/auth/v1/user', 'GET'],
      ['/auth/v1/logout', 'POST'],
      ['/auth/v1/token/../../rest/v1/teams', 'POST'],
      ['/auth/v1/tokenx', 'POST'],
      ['/functions/v1/auth/v1/token', 'POST'],
    ] as const) {
      const { seen: s } = await send(calls, path, method);
      expect(s?.headers.apikey, path).toBe('anon-key');
      expect(s?.headers.authorization, path).toBe('Bearer anon-key');
      expect(s?.headers['sb-forwarded-for'], path).toBeUndefined();
    }
    const elsewhere = new AuthCalls('http://localhost:1', () => '203.0.113.7', 'sb_secret_test');
    const { seen: s } = await send(elsewhere, '/auth/v1/token?grant_type=password');
    expect(s?.headers.apikey).toBe('anon-key');
  });

  it('without the secret key, or without an IP address for the visitor, sends the request unchanged', async () => {
    for (const calls of [
      new AuthCalls(base, () => '203.0.113.7', undefined),
      new AuthCalls(base, () => 'proxy-said-this', 'sb_secret_test'),
    ]) {
      const { seen: s } = await send(calls, '/auth/v1/token?grant_type=password');
      expect(s?.headers.apikey).toBe('anon-key');
      expect(s?.headers['sb-forwarded-for']).toBeUndefined();
    }
  });

  it('remembers the Retry-After of a 429 from Auth', async () => {
    const calls = new AuthCalls(`${base}/busy`, () => '203.0.113.8', undefined);
    expect((await send(calls, '/busy/auth/v1/signup')).status).toBe(429);
    expect(calls.retryAfterSeconds).toBe(42);
  });

  it('counts refreshes per visitor address and refuses the 16th in 5 minutes without calling Auth', async () => {
    const calls = new AuthCalls(base, () => '203.0.113.9', undefined);
    for (let i = 0; i < 15; i++)
      expect((await send(calls, '/auth/v1/token?grant_type=refresh_token')).status).toBe(200);
    const refused = await send(calls, '/auth/v1/token?grant_type=refresh_token');
    expect(refused.status).toBe(429);
    expect(refused.seen).toBeUndefined();
    expect(calls.retryAfterSeconds).toBeGreaterThan(0);
    // Another visitor, and password grants, are not affected.
    expect(
      (await send(new AuthCalls(base, () => '203.0.113.10', undefined), '/auth/v1/token?grant_type=refresh_token'))
        .status,
    ).toBe(200);
    expect((await send(calls, '/auth/v1/token?grant_type=password')).status).toBe(200);
  });
});
