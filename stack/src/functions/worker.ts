/** One Deno process serving one function on a private loopback port: boot, readiness, in-flight count, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lineSplitter, type FunctionLog } from './logs.ts';

/** Printed by deno-bootstrap.ts once it listens; keep in sync. */
const READY = '__vibe_worker_ready__';
const BOOTSTRAP = path.join(import.meta.dirname, 'deno-bootstrap.ts');
/** Hosted functions get 256 MB; the same heap cap makes a memory-hungry function fail here too. */
const MEMORY_LIMIT_MB = 256;

/** How a worker resolves `npm:` imports: from the project's node_modules (fast, offline) or from the registry. */
export type NpmMode = 'project' | 'registry';

export interface WorkerOptions {
  name: string;
  deno: string;
  /** The function's folder; Deno finds deno.json / package.json from here. */
  cwd: string;
  entrypoint: string;
  importMap?: string;
  env: Record<string, string>;
  allowRead: string[];
  allowWrite: string[];
  npm: NpmMode;
  log: FunctionLog;
  bootTimeoutMs: number;
}

/** The worker exited or timed out before listening; `output` is its last log lines. */
export class BootError extends Error {
  readonly output: string[];
  constructor(message: string, output: string[]) {
    super(message);
    this.name = 'BootError';
    this.output = output;
  }
}

/** A running (or finished) Deno worker process. */
export class Worker {
  readonly name: string;
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  port = 0;
  inflight = 0;
  exited = false;
  /** The process died from its memory cap (maps to 546 WORKER_LIMIT). */
  outOfMemory = false;
  readonly ready: Promise<void>;
  readonly exit: Promise<void>;
  readonly #child: ChildProcess;
  #retiring = false;
  #idleWaiters: (() => void)[] = [];

  constructor(opts: WorkerOptions) {
    this.name = opts.name;
    const args = [
      'run',
      '--no-lock',
      '--no-prompt',
      `--node-modules-dir=${opts.npm === 'project' ? 'manual' : 'none'}`,
      '--allow-net',
      '--allow-env',
      '--allow-sys',
      `--allow-read=${opts.allowRead.join(',')}`,
      `--allow-write=${opts.allowWrite.join(',')}`,
      `--v8-flags=--max-old-space-size=${MEMORY_LIMIT_MB}`,
      ...(opts.importMap ? [`--import-map=${opts.importMap}`] : []),
      BOOTSTRAP,
      pathToFileURL(opts.entrypoint).href,
    ];
    const child = spawn(opts.deno, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    let onReady: () => void = () => {};
    let onFail: (err: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    this.ready.catch(() => {}); // a caller that never awaits must not see an unhandled rejection
    const timer = setTimeout(() => {
      onFail(
        new BootError(
          `Function ${opts.name} did not start listening within ${opts.bootTimeoutMs} ms`,
          opts.log.tail(20),
        ),
      );
      child.kill('SIGKILL');
    }, opts.bootTimeoutMs);
    const out = lineSplitter((line) => {
      const m = line.startsWith(READY) ? /^\S+ (\d+)$/.exec(line) : null;
      if (m) {
        this.port = Number(m[1]);
        clearTimeout(timer);
        onReady();
      } else opts.log.line(line);
    });
    const err = lineSplitter((line) => {
      if (/out of memory|heap limit/i.test(line)) this.outOfMemory = true;
      opts.log.line(line);
    });
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.stdin!.on('error', () => {}); // EPIPE when the worker is already gone
    this.exit = new Promise<void>((resolve) => {
      let done = false;
      const finish = (how: string) => {
        if (done) return;
        done = true;
        out.flush();
        err.flush();
        clearTimeout(timer);
        this.exited = true;
        this.agent.destroy();
        if (!this.#retiring) opts.log.line(`worker exited (${how})`);
        onFail(new BootError(`Function ${opts.name} exited before it started listening (${how})`, opts.log.tail(20)));
        for (const w of this.#idleWaiters.splice(0)) w();
        resolve();
      };
      child.once('error', (e) => {
        opts.log.line(
          `Cannot run Deno (${opts.deno}): ${e.message}; install the root devDependency "deno" with npm install`,
        );
        if (child.pid === undefined) finish('spawn failed');
      });
      child.once('close', (code, signal) => finish(signal ? `signal ${signal}` : `code ${code}`));
    });
  }

  /** Marks the start of a proxied request. */
  begin(): void {
    this.inflight++;
  }

  /** Marks the end of a proxied request. */
  end(): void {
    this.inflight--;
    if (this.inflight === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  /** Stops the worker once its in-flight requests are done, waiting at most `graceMs`. */
  async retire(graceMs: number): Promise<void> {
    this.#retiring = true;
    if (this.inflight > 0 && !this.exited) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, graceMs);
        t.unref();
        this.#idleWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await this.stop();
  }

  /** Stops the process now: stdin closes (the bootstrap exits), then SIGTERM, then SIGKILL after 2 s. */
  async stop(): Promise<void> {
    this.#retiring = true;
    if (this.exited) return;
    this.#child.stdin!.end();
    this.#child.kill('SIGTERM');
    const t = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
    await this.exit;
    clearTimeout(t);
  }

  /** The OS process id, for tests that check nothing is left behind. */
  get pid(): number | undefined {
    return this.#child.pid;
  }
}
