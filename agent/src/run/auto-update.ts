/**
 * The opt-in update check of `run` (autoUpdate / VIBE_AGENT_AUTO_UPDATE=1): every updateIntervalS
 * (a day by default, first one a minute after start) asks the dashboard for its agent and, when it
 * differs, installs it like `vibe-agent update` and hands over to `restart`, which flushes the queue
 * and re-executes the new executable in the same process (systemd sees the same pid).
 */
import type { AgentSettings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import { updateAgent } from '../commands/update.ts';
import { AGENT_VERSION } from '../version.ts';

/** Starts the periodic check; failures are logged and retried at the next interval. */
export function scheduleAutoUpdate(
  settings: Pick<AgentSettings, 'dashboardUrl' | 'updateIntervalS'>,
  log: Logger,
  restart: () => Promise<void>,
): void {
  if (!AGENT_VERSION.compiled) {
    log.warn('autoUpdate is on but this agent runs from the sources: no update checks');
    return;
  }
  const interval = settings.updateIntervalS ?? 86400;
  const check = async () => {
    try {
      const r = await updateAgent({
        dashboardUrl: settings.dashboardUrl ?? undefined,
        current: AGENT_VERSION,
        executable: process.execPath,
      });
      if (!r.updated) {
        log.debug(`update check: ${r.from} is current`);
        return schedule(interval);
      }
      log.info(`Updated ${process.execPath}: ${r.from} -> ${r.to}; restarting`);
      await restart();
    } catch (err) {
      log.warn(`Update check failed: ${(err as Error).message}`);
      schedule(interval);
    }
  };
  const schedule = (s: number) => void setTimeout(check, s * 1000).unref();
  schedule(Math.min(60, interval));
}
