/** Starts one stack on free ports in a temporary data directory for the whole test run. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.ts';
import { startStack, type RunningStack, type StackEnv } from '../src/stack.ts';
import { freePort } from './free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEnv & { DATA_DIR: string };
  }
}

let stack: RunningStack | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Notification tests deliver to local receivers on 127.0.0.1 over http (supabase/functions/_shared/destination-url.ts).
  process.env.VIBE_ALLOWED_DEV_HOSTS ??= '127.0.0.1';
  // Every test file signs users up and in from 127.0.0.1: one shared per-address bucket would refuse them.
  // The limits themselves are tested on their own Auth servers (auth-harness.ts), read from a config.toml.
  process.env.VIBE_AUTH_RATE_LIMITS ??= 'off';
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-test-'));
  await fs.chmod(dir, 0o755);
  const config = loadConfig(process.env, { dataDir: dir, gatewayPort: 0, dbPort: await freePort(), externalDatabaseUrl: null });
  stack = await startStack(config, { extraSchemas: ['rest_fixture'] });
  project.provide('stack', { ...stack.env, DATA_DIR: dir });
}

export async function teardown(): Promise<void> {
  await stack?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}
