/** Starts one stack on free ports in a temporary data directory for the whole test run. */
import type { TestProject } from 'vitest/node';
import type { StackEnv } from '../src/stack.ts';
import { freshStack, type FreshStack } from '../../testkit/src/fresh-stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEnv & { DATA_DIR: string };
  }
}

let stack: FreshStack | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Notification tests deliver to local receivers on 127.0.0.1 over http (supabase/functions/_shared/destination-url.ts).
  process.env.VIBE_ALLOWED_DEV_HOSTS ??= '127.0.0.1';
  // Every test file signs users up and in from 127.0.0.1: one shared per-address bucket would refuse them.
  // The limits themselves are tested on their own Auth servers (auth-harness.ts), read from a config.toml.
  process.env.VIBE_AUTH_RATE_LIMITS ??= 'off';
  stack = await freshStack({ extraSchemas: ['rest_fixture'], prefix: 'vibe-test-' });
  project.provide('stack', { ...stack.env, DATA_DIR: stack.dataDir });
}

export async function teardown(): Promise<void> {
  await stack?.stop();
}
