/** `vibe-agent run`: re-executes on the stripped JavaScript copy, starts the agent, and stops it on SIGTERM/SIGINT. */
import path from 'node:path';
import { loadSettings } from '../config/settings.ts';
import { createLogger } from '../log.ts';
import type { CommandContext } from './context.ts';

/**
 * V8 flags for the long-running agent, each trading a little CPU for resident memory (measured in
 * bench/src/agent.bench.ts): a 1 MB young generation (the agent's garbage is small and short-lived);
 * WebAssembly (fetch's HTTP parser) kept on the baseline compiler, whose optimizing tier-up alone
 * costs ~14 MB; no background compiler/GC threads, whose malloc arenas keep memory after use.
 */
export const RUN_FLAGS = [
  '--max-semi-space-size=1',
  '--liftoff-only',
  '--no-wasm-tier-up',
  '--single-threaded',
  '--disable-warning=ExperimentalWarning',
];

/** Whether `run` should replace itself with the stripped copy: only when running from the TypeScript sources, unless VIBE_AGENT_NO_REEXEC=1. */
export function shouldReexec(cliPath: string, env: NodeJS.ProcessEnv): boolean {
  return cliPath.endsWith('.ts') && env.VIBE_AGENT_NO_REEXEC !== '1';
}

/** Runs the agent until a signal; the first SIGTERM/SIGINT flushes and exits 0, a second one exits 1 at once. */
export async function runCommand({ options, env, argv, cliPath }: CommandContext): Promise<void> {
  const settings = loadSettings(env, options.config);
  const log = createLogger(settings.logLevel);
  if (shouldReexec(cliPath, env)) {
    // Run from a stripped JavaScript copy so the type-stripping compiler never loads in the
    // long-running process (same pid: systemd and signals see no difference).
    const { buildJs } = await import('../runtime/js-build.ts');
    const entry = buildJs(path.join(settings.dataDir, 'js'));
    process.execve!(process.execPath, [process.execPath, ...RUN_FLAGS, entry, ...argv], {
      MALLOC_ARENA_MAX: '2',
      ...env,
    });
  }
  const { startAgent } = await import('../agent.ts');
  const agent = await startAgent(settings, log);
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(1); // a second Ctrl-C means "now"
    log.info(`${sig} received, flushing and stopping`);
    void agent.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
