/**
 * A whole fresh stack in this process, on free ports in a temporary data directory: the test run's global setup,
 * the fault tests (which kill or stop its parts) and the benchmarks all start it here.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../stack/src/config.ts';
import { startStack, type RunningStack } from '../../stack/src/stack.ts';
import { freePort } from './free-port.ts';

/** A running fresh stack; `stop()` also removes its data directory. */
export interface FreshStack extends RunningStack {
  /** The temporary data directory (keys, Postgres data, stack.env). */
  readonly dataDir: string;
}

/** What to vary: extra schemas REST exposes, and the environment the config is read from (default process.env). */
export interface FreshStackOptions {
  extraSchemas?: string[];
  env?: NodeJS.ProcessEnv;
  /** Prefix of the temporary directory, so a leftover one says who made it. */
  prefix?: string;
}

/** Starts a stack on free ports (gateway port 0, a free Postgres port) with no external database. */
export async function freshStack(opts: FreshStackOptions = {}): Promise<FreshStack> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), opts.prefix ?? 'vibe-stack-'));
  // Postgres runs as its own user on a root-run machine and must reach its data directory.
  await fs.chmod(dir, 0o755);
  const config = loadConfig(opts.env ?? process.env, {
    dataDir: dir,
    gatewayPort: 0,
    dbPort: await freePort(),
    externalDatabaseUrl: null,
  });
  let stack: RunningStack;
  try {
    stack = await startStack(config, { extraSchemas: opts.extraSchemas ?? [] });
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...stack,
    dataDir: dir,
    async stop() {
      await stack.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
