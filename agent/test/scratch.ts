/** Per-file scratch space: temporary directories and agent processes, all removed after the file's tests. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { spawnAgent, type AgentProcess, type SpawnAgentOptions } from '../../testkit/src/agent-process.ts';

/** Registers the cleanup and returns helpers that make directories and spawn agents (sources, or `opts.executable`) under it. */
export function scratch(
  prefix: string,
  opts: SpawnAgentOptions = {},
): {
  tmp(): Promise<string>;
  spawn(args: string[], env: Record<string, string>): AgentProcess;
} {
  const dirs: string[] = [];
  const children: AgentProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });
  return {
    async tmp() {
      const d = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
      dirs.push(d);
      return d;
    },
    spawn(args, env) {
      const p = spawnAgent(args, env, opts);
      children.push(p);
      return p;
    },
  };
}
