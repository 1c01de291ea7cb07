/**
 * Behind a TLS-terminating proxy (X-Forwarded-Proto: https) in real Chromium: the session cookies are Secure,
 * both as the server sets them at sign-in and as the browser's Supabase client rewrites them on a refresh.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Cookie } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../stack/test/global-setup.ts';
import { newTeam, newUser, type TestUser } from './api-fixtures.ts';
import { CHROMIUM_ARGS } from './e2e-web.ts';
import { waitFor } from '../../testkit/src/wait-for.ts';
import { startWeb, type RunningWeb } from '../../testkit/src/web-server.ts';

const env = inject('stack');
let web: RunningWeb;
let tmp: string;
let user: TestUser;
let proxy: https.Server;
let origin: string;
let browser: BrowserContext;

/** A throwaway self-signed certificate for 127.0.0.1. */
async function selfSigned(dir: string): Promise<{ key: Buffer; cert: Buffer }> {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key: await fs.readFile(key), cert: await fs.readFile(cert) };
}

/** The proxy: TLS in front, plain http to the app with X-Forwarded-Proto, as nginx or Caddy would. */
function startProxy(tls: { key: Buffer; cert: Buffer }, upstream: string): Promise<https.Server> {
  const server = https.createServer(tls, (req, res) => {
    const out = http.request(
      new URL(req.url ?? '/', upstream),
      { method: req.method, headers: { ...req.headers, 'x-forwarded-proto': 'https' } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.rawHeaders);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const isSession = (c: Cookie) => c.name.startsWith('sb-') && c.name.includes('-auth-token');

/** The session the auth cookie holds (one cookie, or chunks .0, .1, … in order). */
function sessionOf(cookies: Cookie[]): { name: string; body: Record<string, unknown> } {
  const parts = cookies.filter(isSession).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const name = parts[0]!.name.replace(/\.\d+$/, '');
  const raw = parts.map((c) => c.value).join('');
  return { name, body: JSON.parse(Buffer.from(raw.replace(/^base64-/, ''), 'base64url').toString()) };
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-web-tls-'));
  [web, user] = await Promise.all([startWeb(env), newUser(env, 'tls')]);
  await newTeam(user, 'TLS team');
  proxy = await startProxy(await selfSigned(tmp), web.url);
  origin = `https://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  browser = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    ignoreHTTPSErrors: true,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  await web?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('session cookies over https', () => {
  it('are Secure when the server sets them and when the browser client refreshes them', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/`);
    const signedIn = (await browser.cookies(origin)).filter(isSession);
    expect(signedIn.length).toBeGreaterThan(0);
    expect(signedIn.every((c) => c.secure)).toBe(true);

    // A page that makes no further requests to our server, so only the browser client touches the cookie.
    await page.goto(`${origin}/team`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { name: /^Team: / }).waitFor();
    // Make the stored session look expired (the token itself stays valid): the client's refresh tick
    // (every 30 s) then refreshes it and writes the new session through document.cookie.
    const before = sessionOf(await browser.cookies(origin));
    const aged = { ...before.body, expires_at: Math.floor(Date.now() / 1000) - 60 };
    await browser.clearCookies();
    await browser.addCookies([
      {
        name: before.name,
        value: `base64-${Buffer.from(JSON.stringify(aged)).toString('base64url')}`,
        url: origin,
        secure: false,
        sameSite: 'Lax',
      },
    ]);
    await waitFor(
      async () => {
        const now = (await browser.cookies(origin)).filter(isSession);
        return now.length > 0 && sessionOf(now).body.refresh_token !== before.body.refresh_token;
      },
      { message: 'the browser client to write a refreshed session', timeoutMs: 45_000 },
    );
    const refreshed = (await browser.cookies(origin)).filter(isSession);
    expect(refreshed.map((c) => [c.name, c.secure])).toEqual(refreshed.map((c) => [c.name, true]));
    await page.close();
  }, 90_000);
});
