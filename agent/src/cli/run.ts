/** `vibe-agent run`: starts the agent, and stops it on SIGTERM/SIGINT. */
import { loadSettings } from '../config/settings.ts';
import { createLogger } from '../log.ts';
import type { CommandContext } from './context.ts';

/** Runs the agent until a signal; the first SIGTERM/SIGINT flushes and exits 0, a second one exits 1 at once. */
export async function runCommand({ options, env, argv }: CommandContext): Promise<void> {
  const settings = loadSettings(env, options.config);
  const log = createLogger(settings.logLevel);
  const { startAgent } = await import('../agent.ts');
  const agent = await startAgent(settings, log);
  if (settings.autoUpdate) {
    const { scheduleAutoUpdate } = await import('../run/auto-update.ts');
    scheduleAutoUpdate(settings, log, async () => {
      // The new executable is in place: flush, then become it (same pid, same arguments).
      await agent.stop();
      process.execve!(process.execPath, [process.execPath, ...argv], env);
    });
  }
  let signals = 0;
  const onSignal = (sig: string) => {
    if (++signals > 1) process.exit(1); // a second Ctrl-C means "now"
    log.info(`${sig} received, flushing and stopping`);
    void agent.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
