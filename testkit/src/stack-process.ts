/** The stack in a child process (`node stack/src/cli.ts`, i.e. `npm run stack`), so its memory can be measured apart from the load generator. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';

/** A running stack child: its env (as written to stack.env) and how to stop it. */
export interface StackProcess {
  readonly pid: number;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '..', '..');

/** Starts the stack on free ports in a temporary data directory; resolves when it prints `ready`. */
export async function startStackProcess(extraEnv: Record<string, string> = {}): Promise<StackProcess> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-load-'));
  await fs.chmod(dataDir, 0o755);
  const env = {
    ...process.env,
    VIBE_DATA_DIR: dataDir,
    VIBE_GATEWAY_PORT: '0',
    VIBE_DB_PORT: String(await freePort()),
    VIBE_FUNCTIONS_WATCH: '0',
    DATABASE_URL: '',
    VIBE_AUTH_RATE_LIMITS: 'off',
    ...extraEnv,
  };
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'stack', 'src', 'cli.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The stack did not print ready within 180 s:\n${output.slice(-3000)}`)),
      180_000,
    );
    child.stdout!.on('data', (b: Buffer) => {
      output += b.toString();
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The stack exited with ${code} before it was ready:\n${output.slice(-3000)}`));
    });
  });
  const text = await fs.readFile(path.join(dataDir, 'stack.env'), 'utf8');
  const parsed = Object.fromEntries(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    pid: child.pid!,
    env: parsed,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
