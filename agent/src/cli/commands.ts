/** The short-lived subcommands: enroll, status, print, install-service. Each loads its module when it runs. */
import path from 'node:path';
import { configPath, defaultDataDir, loadLocalSettings, type ConfigFile } from '../config/settings.ts';
import { enrollArgs } from './args.ts';
import type { CommandContext } from './context.ts';

/** The data directory for commands that need no credentials: VIBE_AGENT_DATA_DIR, the config file's, or the default. */
export function localDataDir(env: NodeJS.ProcessEnv, file: ConfigFile): string {
  return path.resolve(env.VIBE_AGENT_DATA_DIR || file.dataDir || defaultDataDir());
}

/** `vibe-agent enroll`: exchanges the one-time token for credentials and writes the config file. */
export async function enrollCommand({ options, env, write }: CommandContext): Promise<void> {
  const { url, key, token, name, dashboardUrl, autoUpdate } = enrollArgs(options, env);
  const configFile = configPath(env, options.config);
  if (dashboardUrl) {
    const { dashboardBase } = await import('../commands/update.ts');
    dashboardBase(dashboardUrl); // a bad URL fails before the one-time token is spent
  }
  const { enroll } = await import('../commands/enroll.ts');
  const e = await enroll({ url, key, token, name, configFile, dashboardUrl, autoUpdate });
  write(
    `Enrolled host ${e.hostName ?? e.hostId} (${e.hostId}). Wrote ${configFile} (mode 0600).\nStart the agent with: vibe-agent run\n`,
  );
}

/** `vibe-agent status [--json]`: the queue and the status file of the data directory. */
export async function statusCommand({ options, env, write }: CommandContext): Promise<void> {
  const { file } = loadLocalSettings(env, options.config);
  const { formatStatus, readStatusReport } = await import('../commands/status.ts');
  const report = await readStatusReport(localDataDir(env, file));
  write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report) + '\n');
}

/** `vibe-agent print`: one host sample as JSON. */
export async function printCommand({ options, env, write }: CommandContext): Promise<void> {
  const { file } = loadLocalSettings(env, options.config);
  const { printSample } = await import('../commands/print.ts');
  const sample = await printSample({
    procRoot: env.VIBE_AGENT_PROC_ROOT || file.procRoot,
    sysRoot: env.VIBE_AGENT_SYS_ROOT || file.sysRoot,
    rootfs: env.VIBE_AGENT_ROOTFS || file.rootfs,
  });
  write(JSON.stringify(sample, null, 2) + '\n');
}

/** `vibe-agent install-service [--output <unit file>] [--user <name>]`: writes the systemd unit for this CLI. */
export async function installServiceCommand({ options, env, self, write }: CommandContext): Promise<void> {
  const configFile = configPath(env, options.config);
  const { file } = loadLocalSettings(env, options.config);
  const unit = options.output ?? '/etc/systemd/system/vibe-agent.service';
  const { installService } = await import('../commands/install-service.ts');
  const message = installService(unit, {
    command: self,
    configFile,
    dataDir: localDataDir(env, file),
    user: options.user,
  });
  write(message + '\n');
}

/** `vibe-agent version` / `--version`: version and build id. */
export async function versionCommand({ write }: CommandContext): Promise<void> {
  const { AGENT_VERSION } = await import('../version.ts');
  const { version, build, compiled } = AGENT_VERSION;
  write(
    `vibe-agent ${version} (build ${build}${compiled ? '' : ', from sources'}) ${process.platform}-${process.arch}\n`,
  );
}

/** `vibe-agent update [--check]`: installs the dashboard's agent over this executable, then restarts the service. */
export async function updateCommand({ options, env, write }: CommandContext): Promise<void> {
  const { file } = loadLocalSettings(env, options.config);
  const dashboardUrl = env.VIBE_AGENT_DASHBOARD_URL || file.dashboardUrl || undefined;
  const { AGENT_VERSION } = await import('../version.ts');
  const { updateAgent } = await import('../commands/update.ts');
  const r = await updateAgent({
    dashboardUrl,
    current: AGENT_VERSION,
    executable: process.execPath,
    checkOnly: options.check === true,
  });
  if (!r.updated) {
    write(
      r.from === r.to
        ? `vibe-agent ${r.from} is the dashboard's current agent.\n`
        : `Update available: ${r.from} -> ${r.to}\n`,
    );
    return;
  }
  write(`Updated ${process.execPath}: ${r.from} -> ${r.to}\n`);
  const { restartService } = await import('../commands/restart-service.ts');
  write(`${restartService(env)}\n`);
}
