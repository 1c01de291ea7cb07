/** Runs a private redis-server child on 127.0.0.1: started on a free port, restarted if it dies, stopped without orphans. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { RedisClient } from './client.ts';

/** Finds `redis-server` on PATH (then the usual Debian and Homebrew places); null when none is installed. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(path.delimiter), '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = path.join(dir, 'redis-server');
    if (existsSync(file)) return file;
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RedisProcessOptions {
  bin: string;
  /** Working directory (pid file; nothing is persisted: it is a cache). */
  dir: string;
  password: string;
  /** Called with a line when the server dies unexpectedly or restarts. */
  log?: (line: string) => void;
}

/** One redis-server child. `port` may change when a restart finds its old port taken. */
export class RedisProcess {
  port = 0;
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private output = '';
  private readonly opts: RedisProcessOptions;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  constructor(opts: RedisProcessOptions) {
    this.opts = opts;
  }

  /** The running server's pid (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server and resolves once it answers PING; retries a few ports if one is taken meanwhile. */
  async start(): Promise<void> {
    await fs.mkdir(this.opts.dir, { recursive: true });
    await this.killStale();
    process.off('exit', this.killOnExit);
    process.on('exit', this.killOnExit);
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.spawnOnce(attempt === 0 && this.port ? this.port : await freePort());
        return;
      } catch (err) {
        lastError = err as Error;
      }
    }
    process.off('exit', this.killOnExit);
    throw lastError!;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    process.off('exit', this.killOnExit);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private pidFile(): string {
    return path.join(this.opts.dir, 'redis-server.pid');
  }

  /** A stack killed with SIGKILL leaves its redis-server behind; the pid file lets the next start end it. */
  private async killStale(): Promise<void> {
    let pid: number;
    try {
      pid = Number(readFileSync(this.pidFile(), 'utf8').trim());
    } catch {
      return;
    }
    // redis-server rewrites its title (no arguments left) but runs chdir'ed into --dir: that identifies ours.
    let ours = false;
    try {
      ours =
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server') &&
        readlinkSync(`/proc/${pid}/cwd`) === path.resolve(this.opts.dir);
    } catch {
      /* not running, or no /proc */
    }
    if (pid > 0 && ours) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await fs.rm(this.pidFile(), { force: true });
  }

  private spawnOnce(port: number): Promise<void> {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      // A cache: nothing is written to disk.
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.opts.dir,
      '--pidfile',
      this.pidFile(),
      '--requirepass',
      this.opts.password,
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ];
    this.output = '';
    // Its own process group: a terminal's Ctrl-C reaches the stack, which stops redis-server in order, instead
    // of killing it first and making it look like a crash. The 'exit' hook and the pid file cover the rest.
    const child = spawn(this.opts.bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const keep = (b: Buffer) => (this.output = (this.output + b.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let abandoned = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        abandoned = true;
        child.kill('SIGKILL');
        reject(err);
      };
      child.once('error', (err) => fail(new Error(`Cannot run ${this.opts.bin}: ${err.message}`)));
      child.once('exit', (code, signal) => {
        if (!settled) {
          fail(
            new Error(`redis-server exited during start-up (code ${code}, signal ${signal}): ${this.output.trim()}`),
          );
          return;
        }
        if (!abandoned) this.onExit(code, signal);
      });
      this.waitReady(port).then(
        () => {
          if (settled) return;
          settled = true;
          this.port = port;
          this.failures = 0;
          resolve();
        },
        (err: Error) => fail(err),
      );
    });
  }

  private async waitReady(port: number): Promise<void> {
    const deadline = Date.now() + 10000;
    for (;;) {
      const client = new RedisClient({ host: '127.0.0.1', port, password: this.opts.password });
      try {
        const reply = await client.command(['PING']);
        if (reply === 'PONG') return;
        throw new Error(`unexpected PING reply ${String(reply)}`);
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`redis-server did not become ready on port ${port}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 25));
      } finally {
        await client.close();
      }
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = null;
    if (this.stopping) return;
    this.failures++;
    const delay = Math.min(5000, 250 * 2 ** Math.min(this.failures - 1, 5));
    this.opts.log?.(`redis-server exited unexpectedly (code ${code}, signal ${signal}); restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.start().then(
        () => this.opts.log?.(`redis-server restarted on port ${this.port}`),
        (err: Error) => {
          this.opts.log?.(`redis-server restart failed: ${err.message}`);
          if (!this.stopping) this.onExit(null, null);
        },
      );
    }, delay);
  }
}
