/** A throw-away redis-server the fault tests can stop and start again on the same port. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '../../../testkit/src/wait-for.ts';

const run = promisify(execFile);

/** A redis-server child without persistence (a restart comes back empty, like a replaced cache node). */
export class ThrowawayRedis {
  readonly port: number;
  private child: ChildProcess | null = null;

  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it and waits until PING answers. */
  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(async () => (await this.cli('ping').catch(() => '')) === 'PONG', {
      message: `redis-server on port ${this.port} to answer PING`,
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  }

  /** Stops it (SIGTERM) and waits for the process to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }

  /** Runs one redis-cli command and returns its trimmed output. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-p', String(this.port), ...args]);
    return stdout.trim();
  }
}
