/** Edge Functions: Deno workers serving `<functionsDir>/<name>/index.ts` at /functions/v1/<name>, as `supabase functions serve` does. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { StackContext } from '../context.ts';
import { sendJson, type Service } from '../gateway/http.ts';
import { denoDir, workerEnv } from './env.ts';
import { sendFunctionError } from './errors.ts';
import { FunctionsConfig } from './function-config.ts';
import { checkFunctionJwt } from './jwt.ts';
import { isFunctionName } from './names.ts';
import { WorkerPool } from './pool.ts';
import { proxyToWorker } from './proxy.ts';
import { watchFunctions } from './watch.ts';
import { BootError } from './worker.ts';

export interface FunctionsServer {
  service: Service;
  /** The last log lines of a function (also shown, prefixed `[fn:<name>]`, on stderr when logs are printed). */
  logs(name: string): string[];
  /** Process ids of the running workers. */
  pids(): number[];
  stop(): Promise<void>;
}

export interface FunctionsOptions {
  /** Stop a worker after this long without requests (default 5 minutes). */
  idleMs?: number;
  /** Restart workers when their files change (default: `config.functionsWatch`). */
  watch?: boolean;
  /** Where function log lines go; null keeps them only in memory. Default: stderr with VIBE_VERBOSE=1, else memory only. */
  print?: ((line: string) => void) | null;
  /** The deno binary (default: the root devDependency). */
  deno?: string;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

function defaultPrint(verbose: boolean): ((line: string) => void) | null {
  // A caller that shows function output (`npm run stack`) passes `print`; otherwise only VIBE_VERBOSE=1 prints.
  return verbose ? (line) => process.stderr.write(`${line}\n`) : null;
}

/** Every `node_modules` from the folder up to the root: where `npm:` imports resolve and npm packages read files. */
function nodeModulesDirs(from: string): string[] {
  const dirs: string[] = [];
  for (let d = from; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'node_modules'))) dirs.push(path.join(d, 'node_modules'));
    if (path.dirname(d) === d) return dirs;
  }
}

/** Starts the functions service; `env` is what every function sees (SUPABASE_URL, keys, DB URL, Upstash). */
export async function startFunctions(
  ctx: StackContext,
  env: Record<string, string>,
  options: FunctionsOptions = {},
): Promise<FunctionsServer> {
  const dir = ctx.config.functionsDir;
  const supabaseDir = path.dirname(dir);
  const config = new FunctionsConfig(path.join(supabaseDir, 'config.toml'));
  const print = options.print === undefined ? defaultPrint(ctx.config.verbose) : options.print;
  const pool = new WorkerPool({ idleMs: options.idleMs ?? 5 * 60_000, graceMs: 30_000, print });
  const deno = options.deno ?? path.join(ROOT, 'node_modules', '.bin', 'deno');
  // A private temp folder per stack: workers may write only here (not all of /tmp, which may hold the project).
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'vibe-functions-'));
  const readable = [dir, ...nodeModulesDirs(dir), denoDir(), tmp];
  const unwatch =
    (options.watch ?? ctx.config.functionsWatch)
      ? watchFunctions(dir, (c) => pool.reload(c.all ? 'all' : c.names))
      : () => {};

  const service: Service = async (req, res) => {
    const first = req.path.split('/')[1] ?? '';
    let name: string;
    try {
      name = decodeURIComponent(first);
    } catch {
      name = '';
    }
    if (!isFunctionName(name)) return sendFunctionError(res, 'notFound');
    const settings = await config.settings(name);
    const entrypoint = settings.entrypoint ?? path.join(dir, name, 'index.ts');
    if (!settings.enabled || !existsSync(entrypoint)) return sendFunctionError(res, 'notFound');
    if (settings.verifyJwt && req.method !== 'OPTIONS') {
      const denial = await checkFunctionJwt(req.headers, ctx.keys);
      if (denial) return sendJson(res, 401, denial);
    }
    let worker;
    try {
      worker = await pool.acquire(name, () => ({
        name,
        deno,
        cwd: path.dirname(entrypoint),
        entrypoint,
        ...(settings.importMap ? { importMap: settings.importMap } : {}),
        env: {
          ...workerEnv({
            stackEnv: env,
            keys: ctx.keys,
            dotenvFile: path.join(dir, '.env'),
            warn: (l) => pool.log(name).line(l),
          }),
          TMPDIR: tmp,
        },
        allowRead: settings.importMap
          ? [...readable, settings.importMap, path.dirname(entrypoint)]
          : [...readable, path.dirname(entrypoint)],
        allowWrite: [tmp],
        bootTimeoutMs: 60_000,
      }));
    } catch (err) {
      if (!(err instanceof BootError)) throw err;
      return sendFunctionError(res, 'bootError');
    }
    await proxyToWorker(worker, req, res);
  };

  return {
    service,
    logs: (name) => pool.log(name).tail(),
    pids: () => pool.pids(),
    async stop() {
      unwatch();
      await pool.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
