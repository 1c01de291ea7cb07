/** Edge Functions through the gateway: supabase-js `functions.invoke` and raw fetch against fixture functions run by real Deno. */
import http from 'node:http';
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionsHarness, type FunctionsHarness } from './functions-harness.ts';

let h: FunctionsHarness;
const fn = (path: string) => `${h.url}/functions/v1/${path}`;

beforeAll(async () => {
  h = await startFunctionsHarness();
});
afterAll(async () => {
  await h?.stop();
});

function client(key: string, token?: string) {
  return createClient(h.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    ...(token ? { global: { headers: { Authorization: `Bearer ${token}` } } } : {}),
  });
}

describe('invoke', () => {
  it('passes JSON, text and binary bodies both ways, with the path, query and headers the function sees hosted', async () => {
    const supabase = client(h.keys.anonKey);
    const json = await supabase.functions.invoke('echo/sub/path?x=1', {
      body: { hello: 'world', n: 1 },
      headers: { 'x-custom': 'abc' },
    });
    expect(json.error).toBeNull();
    expect(json.data).toMatchObject({
      method: 'POST',
      path: '/echo/sub/path',
      search: '?x=1',
      contentType: 'application/json',
      text: '{"hello":"world","n":1}',
      custom: 'abc',
      authorization: `Bearer ${h.keys.anonKey}`,
    });
    // The function's URL names the public host, as `new URL(req.url)` does hosted.
    expect(json.data.url).toBe(`${h.url}/echo/sub/path?x=1`);

    const text = await supabase.functions.invoke('echo', { body: 'plain text ünïcode' });
    expect(text.data).toMatchObject({ contentType: 'text/plain', text: 'plain text ünïcode' });

    const bytes = new Uint8Array(256 * 1024).map((_, i) => (i * 7) % 256);
    const bin = await supabase.functions.invoke('echo?raw', {
      body: new Blob([bytes], { type: 'application/octet-stream' }),
    });
    expect(bin.error).toBeNull();
    expect(bin.data).toBeInstanceOf(Blob);
    expect(Buffer.from(await (bin.data as Blob).arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    const get = await supabase.functions.invoke('echo', { method: 'GET' });
    expect(get.data).toMatchObject({ method: 'GET', length: 0 });
  });

  it('hands null, scalar, invalid and empty JSON bodies to the function untouched: the proxy parses no body', async () => {
    for (const body of [
      'null',
      '42',
      '"text"',
      'true',
      '[]',
      '{',
      '{"a":',
      '',
      '\u0000',
      '{"deep":' + '['.repeat(10_000),
    ]) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const res = await fetch(fn('echo'), {
          method,
          body,
          headers: { authorization: `Bearer ${h.keys.anonKey}`, 'content-type': 'application/json' },
        });
        expect(res.status, `${method} ${body.slice(0, 20)}`).toBe(200);
        expect(await res.json()).toMatchObject({
          method,
          contentType: 'application/json',
          text: body,
          length: Buffer.byteLength(body),
        });
      }
    }
  });

  it('returns the function response as is: status, headers (plus CORS), and the export-default form', async () => {
    const res = await fetch(fn('echo'), {
      method: 'PUT',
      body: 'x',
      headers: { authorization: `Bearer ${h.keys.serviceRoleKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await res.json()).method).toBe('PUT');
    const def = await fetch(fn('default-export/a'));
    expect(def.status).toBe(200);
    expect(await def.text()).toBe('default export saw /default-export/a');
  });

  it('streams a response: server-sent events arrive one by one, not buffered', async () => {
    const res = await fetch(fn('stream?n=5&gap=150'));
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      arrivals.push(performance.now());
      text += new TextDecoder().decode(value);
    }
    expect(text.match(/^data: /gm)).toHaveLength(5);
    // Five events 150 ms apart arrive in several reads spread over time (a buffered body would come as one).
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(400);
  });

  it('hands supabase-js an event stream as a raw Response', async () => {
    const { data, error } = await client(h.keys.anonKey).functions.invoke('stream?n=2&gap=10');
    expect(error).toBeNull();
    expect(data).toBeInstanceOf(Response);
    expect(await (data as Response).text()).toMatch(/data: \{"i":1/);
  });
});

describe('verify_jwt', () => {
  it('refuses a function with verify_jwt on (the default) without a valid JWT, with the CLI 401 bodies', async () => {
    const missing = await fetch(fn('echo'), { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ msg: 'Error: Missing authorization header' });

    const forged = await new jose.SignJWT({ role: 'service_role' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-xx'));
    const bad = await fetch(fn('echo'), { method: 'POST', headers: { authorization: `Bearer ${forged}` } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ msg: 'Invalid JWT' });

    const expired = await h.keys.signHs256({ role: 'anon', exp: Math.floor(Date.now() / 1000) - 3600 });
    const old = await fetch(fn('echo'), { headers: { authorization: `Bearer ${expired}` } });
    expect(await old.json()).toEqual({ msg: 'Invalid JWT' });

    const scheme = await fetch(fn('echo'), { headers: { authorization: `Token ${h.keys.anonKey}` } });
    expect(scheme.status).toBe(401);
    expect(await scheme.json()).toEqual({ msg: "Error: Auth header is not 'Bearer {token}'" });
  });

  it('lets a valid legacy key or ES256 user token through, and supabase-js reports a 401 as FunctionsHttpError', async () => {
    const user = await h.keys.signUserToken(
      { sub: '00000000-0000-4000-8000-000000000001', role: 'authenticated', aud: 'authenticated' },
      600,
    );
    const asUser = await client(h.keys.anonKey, user).functions.invoke('echo', { body: { ok: 1 } });
    expect(asUser.error).toBeNull();
    expect(asUser.data.authorization).toBe(`Bearer ${user}`);

    // supabase-js sends no Authorization for an sb_publishable key without a session, so verify_jwt refuses it.
    const pub = await client(h.stack.SUPABASE_PUBLISHABLE_KEY).functions.invoke('echo', { body: { ok: 1 } });
    expect(pub.error).toBeInstanceOf(FunctionsHttpError);
    const ctx = (pub.error as FunctionsHttpError).context as Response;
    expect(ctx.status).toBe(401);
    expect(await ctx.json()).toEqual({ msg: 'Error: Missing authorization header' });
  });

  it('serves a verify_jwt = false function to anyone, and still passes the caller’s token along', async () => {
    const anon = await fetch(fn('open'));
    expect(anon.status).toBe(200);
    expect(await anon.json()).toEqual({ open: true, authorization: null });
    const { data, error } = await client(h.stack.SUPABASE_PUBLISHABLE_KEY).functions.invoke('open');
    expect(error).toBeNull();
    expect(data).toEqual({ open: true, authorization: null });
    const withJunk = await fetch(fn('open'), { headers: { authorization: 'Bearer junk' } });
    expect(await withJunk.json()).toEqual({ open: true, authorization: 'Bearer junk' });
  });
});

describe('client address', () => {
  it("sets X-Forwarded-For to the connection's address, replacing whatever the client sent", async () => {
    // Functions rate-limit per client address (enroll-agent): a client must not pick its own.
    const url = new URL(fn('echo'));
    const seen = await new Promise<{ forwardedFor: string | null }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'GET',
          localAddress: '127.0.0.9',
          agent: false,
          headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1', authorization: `Bearer ${h.keys.anonKey}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { forwardedFor: string | null }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(seen.forwardedFor).toBe('127.0.0.9');
  });
});

describe('platform errors', () => {
  it('answers unknown, shared, disabled and invalid names with the hosted 404', async () => {
    for (const name of ['does-not-exist', '_shared', '_shared/describe.ts', 'disabled', 'bad.name', '', '%E0%A4%A']) {
      const res = await fetch(fn(name), { headers: { authorization: `Bearer ${h.keys.anonKey}` } });
      expect(res.status, name).toBe(404);
      expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
    }
    const { error } = await client(h.keys.anonKey).functions.invoke('does-not-exist');
    expect(((error as FunctionsHttpError).context as Response).status).toBe(404);
    // The shared stack mounts the same service at /functions/v1, without an apikey, as hosted.
    const stack = await fetch(`${h.stack.SUPABASE_URL}/functions/v1/does-not-exist-${Date.now()}`);
    expect(stack.status).toBe(404);
    expect(await stack.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
  });

  it('answers a function that cannot boot with 503 BOOT_ERROR and keeps its output for the logs', async () => {
    for (const name of ['boot-fail', 'no-server']) {
      const res = await fetch(fn(name), { headers: { authorization: `Bearer ${h.keys.anonKey}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('sb-error-code')).toBe('BOOT_ERROR');
      expect(await res.json()).toEqual({ code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
    }
    expect(h.functions.logs('boot-fail').join('\n')).toMatch(/fixture boot failure: the module throws at load time/);
    expect(h.functions.logs('no-server').join('\n')).toMatch(/started no server: call Deno.serve/);
  });
});

describe('worker environment', () => {
  it('gives the variables supabase functions serve gives, plus functions/.env, and hides the host’s', async () => {
    const res = await fetch(fn('env'), { headers: { authorization: `Bearer ${h.keys.anonKey}` } });
    const { env, cwd } = (await res.json()) as { env: Record<string, string>; cwd: string };
    expect(env.SUPABASE_URL).toBe(h.stack.SUPABASE_URL); // not the .env's value: SUPABASE_* there is skipped
    expect(env.SUPABASE_ANON_KEY).toBe(h.keys.anonKey);
    expect(env.SUPABASE_SERVICE_ROLE_KEY).toBe(h.keys.serviceRoleKey);
    expect(env.SUPABASE_DB_URL).toBe(h.stack.SUPABASE_DB_URL);
    expect(JSON.parse(env.SUPABASE_PUBLISHABLE_KEYS!)).toEqual({ default: h.stack.SUPABASE_PUBLISHABLE_KEY });
    expect(JSON.parse(env.SUPABASE_SECRET_KEYS!)).toEqual({ default: h.stack.SUPABASE_SECRET_KEY });
    expect(JSON.parse(env.SUPABASE_JWKS!).keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(JSON.parse(env.SUPABASE_JWKS!).keys[0].d).toBeUndefined();
    expect(env.UPSTASH_REDIS_REST_URL).toBe(h.stack.UPSTASH_REDIS_REST_URL);
    expect(env.UPSTASH_REDIS_REST_TOKEN).toBe(h.stack.UPSTASH_REDIS_REST_TOKEN);
    expect(env.GREETING).toBe('hello from .env');
    expect(env.PLAIN).toBe('plain value');
    for (const hidden of ['HOME', 'PATH', 'PWD', 'HOSTNAME', 'SUPABASE_JWT_SECRET', 'VITEST'])
      expect(env[hidden], hidden).toBeUndefined();
    expect(cwd).toMatch(/fixtures\/functions\/supabase\/functions\/env$/);
    expect(h.functions.logs('env').join('\n')).toMatch(/Env name cannot start with SUPABASE_, skipping: SUPABASE_URL/);
  });

  it('runs npm:@supabase/supabase-js from the project’s node_modules, talking to the stack', async () => {
    const sub = '00000000-0000-4000-8000-0000000000f1';
    const token = await h.keys.signUserToken({ sub, role: 'authenticated', aud: 'authenticated' }, 600);
    const { data, error } = await client(h.keys.anonKey, token).functions.invoke('supabase-client');
    expect(error).toBeNull();
    expect(data).toMatchObject({ alg: 'ES256', claims: { sub, role: 'authenticated' } });
    expect(h.functions.logs('supabase-client')).toContain(`claims for ${sub}`);

    const team = `functions-test-${crypto.randomUUID()}`;
    const rest = await client(h.keys.anonKey).functions.invoke(`supabase-client?team=${team}`);
    expect(rest.error).toBeNull();
    expect(rest.data).toEqual({ read: [{ name: team }], errors: [] });
  });

  it('lets the worker read its folder and write only temp files; no other reads, no programs', async () => {
    const res = await fetch(fn('sandbox'), { headers: { authorization: `Bearer ${h.keys.anonKey}` } });
    expect(await res.json()).toEqual({
      writeOwnFolder: 'denied',
      writeTemp: 'allowed',
      readOwnFolder: 'allowed',
      readEtc: 'denied',
      run: 'denied',
    });
  });
});
