import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daysUntil, runHttpCheck, statusIsUp, type HttpCheck } from '../../src/checks/http-check.ts';

const servers: (http.Server | https.Server)[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function listen<S extends http.Server | https.Server>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const check = (url: string, over: Partial<HttpCheck> = {}): HttpCheck => ({
  name: 'web',
  url,
  method: 'GET',
  expectedStatus: [],
  timeoutMs: 2000,
  intervalS: 30,
  insecureTls: false,
  ...over,
});

describe('HTTP check', () => {
  it('measures a slow answer, then reports failures: a 500, a timeout, a refused connection', async () => {
    let mode: 'slow' | 'fail' | 'hang' = 'slow';
    const port = await listen(
      http.createServer((_req, res) => {
        if (mode === 'slow') setTimeout(() => res.end('ok'), 300);
        else if (mode === 'fail') {
          res.statusCode = 500;
          res.end('boom');
        }
        // hang: never answer
      }),
    );
    const url = `http://127.0.0.1:${port}/health`;
    const slow = await runHttpCheck(check(url), new Date('2025-01-01T00:00:00Z'));
    expect(slow).toMatchObject({
      ts: '2025-01-01T00:00:00.000Z',
      name: 'web',
      up: true,
      status: 200,
      tlsDaysLeft: null,
      error: null,
    });
    expect(slow.latencyMs).toBeGreaterThanOrEqual(290);

    mode = 'fail';
    const failed = await runHttpCheck(check(url));
    expect(failed).toMatchObject({ up: false, status: 500, error: 'Unexpected status 500, expected 2xx or 3xx' });
    expect(failed.latencyMs).toBeLessThan(300);

    mode = 'hang';
    const t0 = performance.now();
    const timedOut = await runHttpCheck(check(url, { timeoutMs: 200 }));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(timedOut).toMatchObject({ up: false, status: null, latencyMs: null, error: 'Timed out after 200 ms' });

    servers[0]!.closeAllConnections();
    await new Promise((r) => servers[0]!.close(r));
    const refused = await runHttpCheck(check(url));
    expect(refused.up).toBe(false);
    expect(refused.error).toMatch(/^ECONNREFUSED/);
  });

  it('honours the expected status and the method', async () => {
    let seen = '';
    const port = await listen(
      http.createServer((req, res) => {
        seen = req.method!;
        res.statusCode = 404;
        res.end();
      }),
    );
    const r = await runHttpCheck(check(`http://127.0.0.1:${port}/`, { method: 'HEAD', expectedStatus: [404] }));
    expect(seen).toBe('HEAD');
    expect(r).toMatchObject({ up: true, status: 404 });
    expect(statusIsUp(301, [])).toBe(true);
    expect(statusIsUp(200, [201])).toBe(false);
  });

  it('reports days until the TLS certificate expires', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-tls-'));
    // A test fixture, generated on the fly: a self-signed certificate valid for 30 days.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '30',
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const port = await listen(
      https.createServer(
        { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
        (_req, res) => res.end('ok'),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
    const url = `https://127.0.0.1:${port}/`;
    const ok = await runHttpCheck(check(url, { insecureTls: true }));
    expect(ok).toMatchObject({ up: true, status: 200 });
    expect(ok.tlsDaysLeft).toBeGreaterThanOrEqual(29);
    expect(ok.tlsDaysLeft).toBeLessThanOrEqual(30);
    // Verified by default: a self-signed certificate is a failure, and says so.
    const strict = await runHttpCheck(check(url));
    expect(strict.up).toBe(false);
    expect(strict.error).toMatch(/self[- ]signed/i);
  });

  it('computes days until a date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(daysUntil('Jan 31 00:00:00 2025 GMT', now)).toBe(30);
    expect(daysUntil('Dec 31 12:00:00 2024 GMT', now)).toBe(-1);
    expect(daysUntil('garbage', now)).toBeNull();
  });
});
