/**
 * Runs the built web app on a free port against the test stack. The build (web/scripts/build.ts, the same one
 * `npm start` uses) goes to web/.vibe-test, so a build someone runs by hand in web/build never disturbs tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { ensureWebBuild, WEB_DIR, webServerEntry } from '../../web/scripts/build.ts';
import { TEST_AGENT_DIST } from './agent-executable.ts';

const buildDir = path.join(WEB_DIR, '.vibe-test');

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

/** Builds the app for tests if its sources changed (the global setup runs this next to the stack's start-up). */
export async function prepareWebBuild(): Promise<void> {
  await ensureWebBuild({ outDir: buildDir });
}

/**
 * Starts the built app on a free port and resolves once it listens. The per-visitor sign-in limits are off
 * (SIGN_IN_LIMITS=off), as Auth's are on the shared test stack: test files sign in many times from 127.0.0.1.
 * Pass `{ SIGN_IN_LIMITS: 'on' }` in `extra` to test them.
 */
export async function startWeb(env: WebEnv, extra: Record<string, string> = {}): Promise<RunningWeb> {
  await prepareWebBuild();
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [webServerEntry(buildDir)], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_SUPABASE_URL: env.SUPABASE_URL,
      PUBLIC_SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL ?? '',
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN ?? '',
      SIGN_IN_LIMITS: 'off',
      // install.sh and the agent executable the global setup built (agent/.vibe-test).
      VIBE_AGENT_DIST: TEST_AGENT_DIST,
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
