/** Test helpers: build the web app once, serve it against the test stack, drive Debian's Chromium. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';

const webDir = path.resolve(import.meta.dirname, '..');
/** Screenshots land here (gitignored). */
export const artifactsDir = path.resolve(webDir, '..', 'test-artifacts');

/** Chromium flags for a quiet, reproducible headless run. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run',
  '--disable-component-update', '--disable-sync',
];

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Builds the app (`svelte-kit sync && vite build`, about 10 s) and copies the output to a private
 * folder under web/node_modules/.cache, so a rebuild by someone else cannot pull files from under the
 * running server; the folder still resolves web/node_modules. Returns that folder.
 */
export async function buildWeb(): Promise<string> {
  const bin = [path.join(webDir, 'node_modules', '.bin'), path.resolve(webDir, '..', 'node_modules', '.bin')].join(':');
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  const out = path.join(webDir, 'node_modules', '.cache', 'vibe-e2e', `${process.pid}-${Date.now()}`);
  await fs.mkdir(path.dirname(out), { recursive: true });
  // flock: builds by other test runs on this machine wait instead of interleaving in .svelte-kit/.
  await promisify(execFile)('flock', ['/tmp/vibe-web-build.lock', 'sh', '-c', `svelte-kit sync && vite build --logLevel error && cp -r build '${out}'`], {
    cwd: webDir, env, maxBuffer: 16 * 1024 * 1024,
  });
  return out;
}

/**
 * A forwarding proxy that says the scheme is http. adapter-node (SvelteKit 3) assumes https unless
 * PROTOCOL_HEADER names a header carrying it, and the form actions' CSRF check then refuses every
 * POST made over plain http, as a TLS-terminating proxy would be expected to fix in production.
 */
function forwardingProxy(target: number): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'http' } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as net.AddressInfo).port })));
}

/** A running `node build/index.js`. */
export interface WebServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Serves the built app on a free port, pointed at the given project. */
export async function serveWeb(buildDir: string, supabaseUrl: string, anonKey: string, extra: Record<string, string> = {}): Promise<WebServer> {
  const port = await freePort();
  const proxy = await forwardingProxy(port);
  const url = `http://127.0.0.1:${proxy.port}`;
  const child = spawn(process.execPath, [path.join(buildDir, 'index.js')], {
    cwd: webDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PROTOCOL_HEADER: 'x-forwarded-proto', PUBLIC_SUPABASE_URL: supabaseUrl, PUBLIC_SUPABASE_ANON_KEY: anonKey, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (b: Buffer) => (log += b));
  child.stderr!.on('data', (b: Buffer) => (log += b));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The web server exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${url}/login`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`The web server did not answer within 20 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: async () => {
      proxy.server.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await fs.rm(buildDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium on a fresh profile directory (playwright passes it as --user-data-dir). */
export async function launchChromium(profileDir: string, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  await fs.rm(profileDir, { recursive: true, force: true });
  await fs.mkdir(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport });
}

/** Polls `check` until it returns true, or fails naming `what`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
