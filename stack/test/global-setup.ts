/**
 * Starts one stack on free ports in a temporary data directory for the whole test run. The integration and
 * slow lanes (vitest projects) both list this file: the first setup starts the stack, the second reuses it,
 * and the last teardown stops it, so `npm test` runs one shared stack, not one per lane.
 */
import net from 'node:net';
import type { TestProject } from 'vitest/node';
import type { StackEnv } from '../src/stack.ts';
import { freshStack, type FreshStack } from '../../testkit/src/fresh-stack.ts';
import { prepareWebBuild } from '../../testkit/src/web-server.ts';
import { buildTestAgent } from '../../testkit/src/agent-executable.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEnv & { DATA_DIR: string };
    /** The port the provider receiver listens on (supabase/tests/functions-channel-kinds.test.ts). */
    providerApiPort: number;
    /** The agent's single executable, built once for this run (agent/.vibe-test). */
    agentExecutable: string;
  }
}

/** A port free right now, for a receiver that starts later. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// On globalThis: each project may load this file through its own module runner, in the same process.
const shared = globalThis as {
  vibeTestStack?: { stack: Promise<FreshStack>; agent: Promise<string>; users: number };
  vibeProviderPort?: Promise<number>;
};

export async function setup(project: TestProject): Promise<void> {
  // Notification tests deliver to local receivers on 127.0.0.1 over http (supabase/functions/_shared/destination-url.ts).
  process.env.VIBE_ALLOWED_DEV_HOSTS ??= '127.0.0.1';
  // Every test file signs users up and in from 127.0.0.1: one shared per-address bucket would refuse them.
  // The limits themselves are tested on their own Auth servers (auth-harness.ts), read from a config.toml.
  process.env.VIBE_AUTH_RATE_LIMITS ??= 'off';
  // Email, Telegram and PagerDuty APIs go to one local receiver on a port picked now (the functions read the
  // env once); the channel-kind tests listen on it.
  shared.vibeProviderPort ??= freePort();
  const providerPort = await shared.vibeProviderPort;
  process.env.VIBE_PROVIDER_API_BASE ??= `http://127.0.0.1:${providerPort}`;
  // The web app's build (when its sources changed) runs beside the stack's start-up, once, instead of inside
  // the first beforeAll of each file that serves the app, where several files would wait on it at once.
  // The agent's executable (a Bun compile, seconds) is built beside them too.
  shared.vibeTestStack ??= {
    stack: Promise.all([freshStack({ extraSchemas: ['rest_fixture'], prefix: 'vibe-test-' }), prepareWebBuild()]).then(
      ([s]) => s,
    ),
    agent: Promise.resolve().then(buildTestAgent),
    users: 0,
  };
  shared.vibeTestStack.users++;
  const [stack, agentExecutable] = await Promise.all([shared.vibeTestStack.stack, shared.vibeTestStack.agent]);
  project.provide('stack', { ...stack.env, DATA_DIR: stack.dataDir });
  project.provide('providerApiPort', Number(new URL(process.env.VIBE_PROVIDER_API_BASE).port));
  project.provide('agentExecutable', agentExecutable);
}

export async function teardown(): Promise<void> {
  const entry = shared.vibeTestStack;
  if (!entry || --entry.users > 0) return;
  shared.vibeTestStack = undefined;
  await (await entry.stack).stop();
}
