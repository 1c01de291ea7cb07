import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/src/free-port.ts';
import { isAlive } from '../../testkit/src/process.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];

async function runStack(dataDir: string, dbPort: number, gatewayPort: number) {
  const child = spawn(process.execPath, [path.join(root, 'stack/src/cli.ts'), 'stack'], {
    cwd: root,
    env: {
      ...process.env,
      VIBE_DATA_DIR: dataDir,
      VIBE_DB_PORT: String(dbPort),
      VIBE_GATEWAY_PORT: String(gatewayPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (/^ready$/m.test(out)) resolve(performance.now() - t0);
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`stack exited early (${code}): ${out}`)));
  });
  return { child, ready, output: () => out };
}

afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('stack lifecycle', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops Postgres without leaving an orphan on ${signal}, and keeps data across restarts`, async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-life-'));
      await fs.chmod(dataDir, 0o755);
      dirs.push(dataDir);
      const [dbPort, gatewayPort] = [await freePort(), await freePort()];
      const first = await runStack(dataDir, dbPort, gatewayPort);
      await first.ready;
      const env = readFileSync(path.join(dataDir, 'stack.env'), 'utf8');
      expect(env).toMatch(/^SUPABASE_URL=http:\/\/127\.0\.0\.1:\d+$/m);
      expect(env).toMatch(/^SUPABASE_ANON_KEY=ey/m);
      expect((await fs.stat(path.join(dataDir, 'stack.env'))).mode & 0o777).toBe(0o600);
      expect((await fs.stat(path.join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);
      const pid = Number(readFileSync(path.join(dataDir, 'db', 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(isAlive(pid)).toBe(true);
      const exited = new Promise<number | null>((r) => first.child.once('exit', (code) => r(code)));
      first.child.kill(signal);
      expect(await exited).toBe(0);
      expect(isAlive(pid)).toBe(false);
      expect(existsSync(path.join(dataDir, 'db', 'postmaster.pid'))).toBe(false);

      // Second start reuses the data directory and the same keys.
      const second = await runStack(dataDir, dbPort, gatewayPort);
      await second.ready;
      expect(readFileSync(path.join(dataDir, 'stack.env'), 'utf8')).toBe(env);
      const done = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await done;
    }, 90000);
  }

  it('stops start-up with the CLI message when a migration fails', async () => {
    const project = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-badmig-'));
    await fs.chmod(project, 0o755);
    dirs.push(project);
    await fs.mkdir(path.join(project, 'supabase', 'migrations'), { recursive: true });
    await fs.copyFile(path.join(root, 'supabase', 'config.toml'), path.join(project, 'supabase', 'config.toml'));
    await fs.writeFile(
      path.join(project, 'supabase', 'migrations', '20260101000000_create_broken.sql'),
      'create table broken (id int;\n',
    );
    const { loadConfig } = await import('../src/config.ts');
    const { startStack } = await import('../src/stack.ts');
    await fs.symlink(path.join(root, 'node_modules'), path.join(project, 'node_modules'));
    const config = loadConfig(process.env, {
      projectDir: project,
      dataDir: path.join(project, '.vibe'),
      dbPort: await freePort(),
      gatewayPort: 0,
      externalDatabaseUrl: null,
    });
    await expect(startStack(config)).rejects.toThrow(/syntax error at or near ";"/);
    // Nothing keeps running: the data directory's postmaster is gone.
    expect(existsSync(path.join(project, '.vibe', 'db', 'postmaster.pid'))).toBe(false);
  }, 90000);
});
