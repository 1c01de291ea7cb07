/** Runs `vibe-agent run` as a child process and collects the sample times it logs after each fsync. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const cli = path.resolve(import.meta.dirname, '..', '..', 'agent', 'src', 'cli.ts');

/** A running agent process. */
export interface AgentProcess {
  readonly child: ChildProcess;
  /** Sample times logged so far ("sampled ts=…" is logged only once the sample is fsynced). */
  readonly sampled: string[];
  /** Everything the agent wrote. */
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** How to start the agent. */
export interface SpawnAgentOptions {
  /** The built single executable to run (testkit/src/agent-executable.ts); default node on the TypeScript sources. */
  executable?: string;
}

/** Spawns the CLI with `args` and `env` added to the current environment. */
export function spawnAgent(args: string[], env: Record<string, string>, opts: SpawnAgentOptions = {}): AgentProcess {
  const [program, ...pre] = opts.executable ? [opts.executable] : [process.execPath, cli];
  const child = spawn(program!, [...pre, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampled: string[] = [];
  let out = '';
  let partial = '';
  const onData = (b: Buffer) => {
    out += b.toString();
    partial += b.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = / sampled ts=(\S+)/.exec(line);
      if (m) sampled.push(m[1]!);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, sampled, output: () => out, exited };
}
