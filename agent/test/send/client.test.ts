/**
 * The agent's fetch-based client against a local HTTP receiver that records every request: the exact
 * wire format supabase-js sent before (paths, query, headers, bodies), the session file it shares
 * with older agents, refresh before expiry and after a 401, and errors sorted as the sender expects.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { classifyError } from '../../src/send/classify.ts';
import { AgentClient, ensureSession, renewSession, SESSION_KEY } from '../../src/send/client.ts';
import { DiskQueue } from '../../src/send/queue.ts';
import type { QueuedRow } from '../../src/send/rows.ts';
import { Sender } from '../../src/send/sender.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
type Reply = { status: number; body?: unknown; text?: string };

const seen: Seen[] = [];
// Answers in order for each path prefix; the default answers below when none is queued.
let replies: { match: string; reply: Reply }[] = [];
let tokens = 0;
const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c.toString()));
  req.on('end', () => {
    const url = req.url ?? '';
    seen.push({ method: req.method ?? '', url, headers: req.headers, body: raw ? JSON.parse(raw) : null });
    const i = replies.findIndex((r) => url.startsWith(r.match));
    let reply: Reply;
    if (i >= 0) reply = replies.splice(i, 1)[0]!.reply;
    else if (url.startsWith('/auth/v1/token')) {
      tokens++;
      reply = {
        status: 200,
        body: {
          access_token: `access-${tokens}`,
          token_type: 'bearer',
          expires_in: 3600,
          refresh_token: `refresh-${tokens}`,
          user: { id: 'u1' },
        },
      };
    } else reply = { status: 201 };
    res.statusCode = reply.status;
    if (reply.body !== undefined) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply.body));
    } else res.end(reply.text ?? '');
  });
});

let url = '';
const dirs: string[] = [];
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
  replies = [];
});

async function tmp(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-client-'));
  dirs.push(d);
  return d;
}
const creds = { email: 'agent@example.test', password: 'pw-1' };
const silent = createLogger('error', () => {});

async function signedIn(): Promise<{ client: AgentClient; dir: string }> {
  const dir = await tmp();
  const client = new AgentClient({ url: `${url}/`, key: 'pk-1', dataDir: dir });
  await ensureSession(client, creds);
  return { client, dir };
}

describe('AgentClient on the wire', () => {
  it('signs in with the password grant as auth-js does and stores the session in the old file format', async () => {
    const { dir } = await signedIn();
    expect(seen).toHaveLength(1);
    const [signIn] = seen;
    expect(signIn).toMatchObject({
      method: 'POST',
      url: '/auth/v1/token?grant_type=password',
      body: { email: creds.email, password: creds.password, gotrue_meta_security: {} },
    });
    expect(signIn!.headers).toMatchObject({
      apikey: 'pk-1',
      authorization: 'Bearer pk-1',
      'content-type': 'application/json;charset=UTF-8',
      'x-supabase-api-version': '2024-01-01',
    });
    const file = path.join(dir, 'session.json');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(JSON.parse(await fs.readFile(file, 'utf8'))[SESSION_KEY]);
    expect(stored).toMatchObject({ access_token: 'access-' + tokens, refresh_token: 'refresh-' + tokens });
    // expires_at filled in from expires_in, as auth-js does.
    expect(stored.expires_at).toBeGreaterThan(Date.now() / 1000 + 3500);
    expect(stored.expires_at).toBeLessThan(Date.now() / 1000 + 3700);
  });

  it('upserts with on_conflict, the union of columns, ignore-duplicates and the user token', async () => {
    const { client } = await signedIn();
    const token = client.session!.access_token;
    const rows = [
      { host_id: 'h', ts: '2026-12-05T00:00:00Z', load1: 1 },
      { host_id: 'h', ts: '2026-12-05T00:00:05Z', mem_used: 2 },
    ];
    expect(await client.upsert('host_samples', rows, 'host_id,ts')).toBeNull();
    const req = seen.at(-1)!;
    const u = new URL(req.url, url);
    expect(u.pathname).toBe('/rest/v1/host_samples');
    expect(u.searchParams.get('on_conflict')).toBe('host_id,ts');
    expect(u.searchParams.get('columns')).toBe('"host_id","ts","load1","mem_used"');
    expect(req.body).toEqual(rows);
    expect(req.headers).toMatchObject({
      apikey: 'pk-1',
      authorization: `Bearer ${token}`,
      prefer: 'resolution=ignore-duplicates,return=minimal',
      'content-type': 'application/json',
      'content-profile': 'public',
    });
  });

  it('calls an rpc by name with named arguments', async () => {
    const { client } = await signedIn();
    replies.push({ match: '/rest/v1/rpc/', reply: { status: 200, body: null } });
    expect(await client.rpc('report_agent_version', { p_version: '0.1.0 (build x)' })).toBeNull();
    const req = seen.at(-1)!;
    expect(req).toMatchObject({
      method: 'POST',
      url: '/rest/v1/rpc/report_agent_version',
      body: { p_version: '0.1.0 (build x)' },
    });
    expect(req.headers.prefer).toBeUndefined();
    expect(req.headers.authorization).toBe(`Bearer ${client.session!.access_token}`);
  });

  it('reads a session stored by the supabase-js agent and refreshes it when it is about to expire', async () => {
    const dir = await tmp();
    const old = {
      access_token: 'old-access',
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: Math.floor(Date.now() / 1000) + 30, // within the 90 s margin
      refresh_token: 'old-refresh',
      user: { id: 'u1' },
    };
    await fs.writeFile(path.join(dir, 'session.json'), JSON.stringify({ [SESSION_KEY]: JSON.stringify(old) }));
    const client = new AgentClient({ url, key: 'pk-1', dataDir: dir });
    await ensureSession(client, creds); // a session is there: no sign-in
    expect(seen).toHaveLength(0);
    expect(await client.upsert('host_samples', [{ a: 1 }], 'host_id,ts')).toBeNull();
    expect(seen.map((s) => s.url)).toEqual([
      '/auth/v1/token?grant_type=refresh_token',
      expect.stringMatching(/^\/rest\/v1\/host_samples\?/),
    ]);
    expect(seen[0]!.body).toEqual({ refresh_token: 'old-refresh' });
    expect(seen[0]!.headers.authorization).toBe('Bearer pk-1');
    const fresh = client.session!;
    expect(seen[1]!.headers.authorization).toBe(`Bearer ${fresh.access_token}`);
    const onDisk = JSON.parse(JSON.parse(await fs.readFile(path.join(dir, 'session.json'), 'utf8'))[SESSION_KEY]);
    expect(onDisk.refresh_token).toBe(fresh.refresh_token);
    expect(onDisk.refresh_token).not.toBe('old-refresh');
  });

  it('passes PostgREST errors on with status, code and message; the sender classifies them as before', async () => {
    const { client } = await signedIn();
    replies.push({
      match: '/rest/v1/host_samples',
      reply: {
        status: 403,
        body: { code: '42501', message: 'new row violates row-level security policy', details: null, hint: null },
      },
    });
    const e = await client.upsert('host_samples', [{ a: 1 }], 'host_id,ts');
    expect(e).toEqual({ status: 403, code: '42501', message: 'new row violates row-level security policy' });
    expect(classifyError(e!)).toBe('reject');
    replies.push({ match: '/rest/v1/host_samples', reply: { status: 503, text: 'upstream down' } });
    const down = await client.upsert('host_samples', [{ a: 1 }], 'host_id,ts');
    expect(down).toEqual({ status: 503, code: null, message: 'upstream down' });
    expect(classifyError(down!)).toBe('retry');
  });

  it('reports no response as status 0 (retry) with the cause', async () => {
    const dir = await tmp();
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r)); // nothing listens there now
    const client = new AgentClient({ url: `http://127.0.0.1:${port}`, key: 'pk-1', dataDir: dir });
    await expect(ensureSession(client, creds)).rejects.toThrow(/Cannot sign in as the agent user agent@example.test: /);
    await fs.writeFile(
      path.join(dir, 'session.json'),
      JSON.stringify({
        [SESSION_KEY]: JSON.stringify({ access_token: 'a', refresh_token: 'r', expires_at: Date.now() / 1000 + 3600 }),
      }),
    );
    const fresh = new AgentClient({ url: `http://127.0.0.1:${port}`, key: 'pk-1', dataDir: dir });
    const e = await fresh.upsert('host_samples', [{ a: 1 }], 'host_id,ts');
    expect(e).toMatchObject({ status: 0, code: null });
    expect(e!.message).toMatch(/ECONNREFUSED|refused|Unable to connect/i);
    expect(classifyError(e!)).toBe('retry');
  });

  it('a wrong password is a clear sign-in error carrying the server message', async () => {
    const dir = await tmp();
    replies.push({
      match: '/auth/v1/token',
      reply: { status: 400, body: { code: 'invalid_credentials', msg: 'Invalid login credentials' } },
    });
    const client = new AgentClient({ url, key: 'pk-1', dataDir: dir });
    await expect(ensureSession(client, creds)).rejects.toThrow(
      'Cannot sign in as the agent user agent@example.test: Invalid login credentials',
    );
    await expect(fs.stat(path.join(dir, 'session.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('Sender with AgentClient: 401 handling', () => {
  async function queueWith(dir: string, n: number): Promise<DiskQueue<QueuedRow>> {
    const q = await DiskQueue.open<QueuedRow>(path.join(dir, 'queue'));
    await q.append(
      Array.from({ length: n }, (_, i) => ({
        table: 'host_samples' as const,
        row: { host_id: 'h', ts: new Date(Date.now() - i * 1000).toISOString() } as QueuedRow['row'],
      })),
    );
    return q;
  }

  it('after a 401 refreshes the session once and resends the batch with the new token', async () => {
    const { client, dir } = await signedIn();
    const before = client.session!;
    const queue = await queueWith(dir, 2);
    replies.push({
      match: '/rest/v1/host_samples',
      reply: { status: 401, body: { code: 'PGRST301', message: 'JWT expired' } },
    });
    const sender = new Sender(queue, client, { log: silent, reauth: () => renewSession(client, creds) });
    seen.length = 0;
    expect(await sender.flush()).toEqual({ sent: 2, rejected: 0, error: null });
    expect(seen.map((s) => s.url.split('?')[0])).toEqual([
      '/rest/v1/host_samples',
      '/auth/v1/token',
      '/rest/v1/host_samples',
    ]);
    expect(seen[1]!.body).toEqual({ refresh_token: before.refresh_token });
    expect(seen[2]!.headers.authorization).toBe(`Bearer ${client.session!.access_token}`);
    expect(client.session!.access_token).not.toBe(before.access_token);
    expect(queue.depth).toBe(0);
    await queue.close();
  });

  it('when the refresh token is refused, forgets it and signs in with the password', async () => {
    const { client, dir } = await signedIn();
    const queue = await queueWith(dir, 1);
    replies.push({ match: '/rest/v1/host_samples', reply: { status: 401, body: { message: 'JWT expired' } } });
    replies.push({
      match: '/auth/v1/token?grant_type=refresh_token',
      reply: { status: 400, body: { code: 'refresh_token_not_found', msg: 'Invalid Refresh Token' } },
    });
    const sender = new Sender(queue, client, { log: silent, reauth: () => renewSession(client, creds) });
    seen.length = 0;
    expect(await sender.flush()).toEqual({ sent: 1, rejected: 0, error: null });
    expect(seen.map((s) => s.url.split('?')[1] ?? s.url)).toEqual([
      expect.stringMatching(/^on_conflict=/),
      'grant_type=refresh_token',
      'grant_type=password',
      expect.stringMatching(/^on_conflict=/),
    ]);
    await queue.close();
  });

  it('a refresh that cannot reach the server keeps the rows queued and the session for later', async () => {
    const { client, dir } = await signedIn();
    const queue = await queueWith(dir, 1);
    replies.push({ match: '/rest/v1/host_samples', reply: { status: 401, body: { message: 'JWT expired' } } });
    replies.push({ match: '/auth/v1/token?grant_type=refresh_token', reply: { status: 502, text: 'bad gateway' } });
    const kept = client.session!.refresh_token;
    const sender = new Sender(queue, client, { log: silent, reauth: () => renewSession(client, creds) });
    const r = await sender.flush();
    expect(r.sent).toBe(0);
    expect(r.error).toMatchObject({ status: 401 });
    expect(queue.depth).toBe(1);
    expect(client.session!.refresh_token).toBe(kept);
    await queue.close();
  });
});
