/**
 * Builds the web app at most once per change (under a lock, so parallel test files share one build) into
 * web/.vibe-test, and runs its `build/index.js` on a free port against the test stack.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../stack/test/free-port.ts';

const run = promisify(execFile);
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = path.resolve(webDir, '..');
// A private build directory (see vite.config.ts): hand-run builds in web/build never disturb tests.
const buildDir = path.join(webDir, '.vibe-test');
const builtMarker = path.join(buildDir, 'build', 'handler.js');

/** Newest modification time of the build's inputs. */
function newestInput(): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'vite.config.ts', 'package.json']) visit(path.join(webDir, p));
  return newest;
}

function isFresh(): boolean {
  return fs.existsSync(builtMarker) && fs.statSync(builtMarker).mtimeMs > newestInput();
}

/** Builds web/.vibe-test/build unless it is newer than every source file. */
export async function ensureWebBuild(): Promise<void> {
  if (isFresh()) return;
  const bin = [path.join(webDir, 'node_modules', '.bin'), path.join(rootDir, 'node_modules', '.bin')].join(path.delimiter);
  // flock serialises builds; the second holder finds the build fresh and skips it. The closing sync points
  // node_modules/$app/tsconfig.json back at .svelte-kit, which the private build had redirected.
  const marker = path.relative(webDir, builtMarker);
  const script = `cd "${webDir}" && if [ ! -f ${marker} ] || [ -n "$(find src vite.config.ts package.json -newer ${marker} -print -quit)" ]; then svelte-kit sync && vite build; rc=$?; VIBE_WEB_BUILD_DIR= svelte-kit sync; exit $rc; fi`;
  try {
    await run('flock', ['/tmp/vibe-web-build.lock', 'sh', '-c', script], {
      env: { ...process.env, VIBE_WEB_BUILD_DIR: buildDir, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`Cannot build the web app: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Environment the web app needs, as the test stack provides it. */
export interface WebEnv {
  SUPABASE_URL: string;
  SUPABASE_ANON_KEY: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
}

/** A running web server. */
export interface RunningWeb {
  url: string;
  stop: () => Promise<void>;
}

/** Starts the built app on a free port and resolves once it listens. */
export async function startWeb(env: WebEnv, extra: Record<string, string> = {}): Promise<RunningWeb> {
  await ensureWebBuild();
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(buildDir, 'build', 'index.js')], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_SUPABASE_URL: env.SUPABASE_URL,
      PUBLIC_SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL ?? '',
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN ?? '',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The web app did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The web app exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
