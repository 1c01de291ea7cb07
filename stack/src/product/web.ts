/** Builds the SvelteKit app when its sources are newer than the last build, then serves it with adapter-node. */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runToEnd, startChild, type Child } from './children.ts';

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when `web/build` is missing or older than any source that goes into it. */
export function webBuildIsStale(webDir: string): boolean {
  const stamp = path.join(webDir, 'build', '.built');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = ['src', 'static', 'vite.config.ts', 'package.json'].map((p) => newestMtime(path.join(webDir, p)));
  return Math.max(...sources) > built;
}

/** Runs `svelte-kit sync` and `vite build` in web/ with the project's Node 24 first on the PATH. */
export async function buildWeb(projectDir: string): Promise<void> {
  const webDir = path.join(projectDir, 'web');
  const env = { ...process.env, PATH: `${path.join(webDir, 'node_modules', '.bin')}:${path.join(projectDir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` };
  // Under the same lock as the test suite's private build (web/test/web-server.ts): two `svelte-kit sync`
  // runs at once rewrite .svelte-kit under each other.
  const script = 'svelte-kit sync && vite build';
  if (existsSync('/usr/bin/flock')) await runToEnd('flock', ['/tmp/vibe-web-build.lock', 'sh', '-c', script], { cwd: webDir, env });
  else await runToEnd('sh', ['-c', script], { cwd: webDir, env });
  writeFileSync(path.join(webDir, 'build', '.built'), new Date().toISOString() + '\n');
}

/** Starts `node web/build/index.js` on `host:port` with the public Supabase settings and the cache endpoint. */
export function serveWeb(projectDir: string, host: string, port: number, env: Record<string, string>): Child {
  return startChild('web', process.execPath, [path.join(projectDir, 'web', 'build', 'index.js')], {
    cwd: path.join(projectDir, 'web'),
    env: { ...process.env, ...env, HOST: host, PORT: String(port), ORIGIN: `http://${host}:${port}` },
  });
}
