/** After `vibe-agent update`: restarts the vibe-agent systemd unit (system or user) if it is running. */
import { spawnSync } from 'node:child_process';

/** Restarts an active vibe-agent unit and says what it did; without one, says how to restart by hand. */
export function restartService(env: NodeJS.ProcessEnv): string {
  const unit = env.VIBE_AGENT_SERVICE || 'vibe-agent.service';
  const scope = process.getuid?.() === 0 ? [] : ['--user'];
  const active = spawnSync('systemctl', [...scope, 'is-active', '--quiet', unit], { stdio: 'ignore' });
  if (active.error || active.status !== 0)
    return `No running ${unit} found: restart the agent yourself (a running "vibe-agent run" keeps the old version until then).`;
  const restart = spawnSync('systemctl', [...scope, 'restart', unit], { encoding: 'utf8' });
  if (restart.status !== 0)
    throw new Error(`systemctl ${[...scope, 'restart', unit].join(' ')} failed: ${restart.stderr.trim()}`);
  return `Restarted ${unit} (systemctl ${[...scope, 'restart', unit].join(' ')}).`;
}
