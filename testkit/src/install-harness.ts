/**
 * Runs the dashboard's one-line install (`curl -fsSL <dashboard>/install.sh | sh -s -- …`) into a
 * scratch root (INSTALL_ROOT) with a stand-in `systemctl` on PATH that records its calls, and
 * starts the agent the way systemd would from the unit file the script wrote.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnAgent, type AgentProcess } from './agent-process.ts';

/** A scratch root and where the script puts things in it (root's layout, or the user's without root). */
export interface InstallRoot {
  root: string;
  bin: string;
  config: string;
  dataDir: string;
  unit: string;
  /** One line per systemctl call: its arguments. */
  systemctlLog: string;
  /** Directory holding the stand-in systemctl, first on PATH. */
  fakeBin: string;
}

/** Makes a scratch root under `parent` with a recording systemctl. */
export function makeInstallRoot(parent: string): InstallRoot {
  const root = fs.mkdtempSync(path.join(parent, 'root-'));
  const fakeBin = path.join(root, '.fake-bin');
  fs.mkdirSync(fakeBin);
  const systemctlLog = path.join(root, '.systemctl.log');
  fs.writeFileSync(path.join(fakeBin, 'systemctl'), `#!/bin/sh\necho "$*" >> '${systemctlLog}'\nexit 0\n`, {
    mode: 0o755,
  });
  const asRoot = process.getuid?.() === 0;
  const home = os.homedir();
  return {
    root,
    fakeBin,
    systemctlLog,
    bin: asRoot ? path.join(root, 'usr/local/bin/vibe-agent') : path.join(root, home, '.local/bin/vibe-agent'),
    config: asRoot
      ? path.join(root, 'etc/vibe-agent/config.json')
      : path.join(root, home, '.config/vibe-agent/config.json'),
    dataDir: asRoot ? path.join(root, 'var/lib/vibe-agent') : path.join(root, home, '.local/state/vibe-agent'),
    unit: asRoot
      ? path.join(root, 'etc/systemd/system/vibe-agent.service')
      : path.join(root, home, '.config/systemd/user/vibe-agent.service'),
  };
}

/** The systemctl calls recorded so far. */
export function systemctlCalls(r: InstallRoot): string[] {
  return fs.existsSync(r.systemctlLog) ? fs.readFileSync(r.systemctlLog, 'utf8').trim().split('\n') : [];
}

/**
 * Runs `command` (the line the dashboard shows, `sudo` dropped: the tests already run as the user
 * they install for) through sh with INSTALL_ROOT and the stand-in systemctl.
 */
export function runInstallLine(
  command: string,
  r: InstallRoot,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; text: string }> {
  const line = command.replace(/\|\s*sudo\s+sh\b/, '| sh');
  // bash for pipefail (a failed download fails the line); the script itself runs in sh, as users run it.
  const child = spawn('bash', ['-o', 'pipefail', '-c', line], {
    env: {
      ...process.env,
      PATH: `${r.fakeBin}:${process.env.PATH ?? ''}`,
      INSTALL_ROOT: r.root,
      VIBE_INSTALL_SYSTEMD: '1',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (b: Buffer) => (text += b));
  child.stderr.on('data', (b: Buffer) => (text += b));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, text })));
}

/** ExecStart and Environment= of a unit file, as systemd reads them (no quoting in the units we write). */
export function readUnit(file: string): { exec: string[]; env: Record<string, string> } {
  const text = fs.readFileSync(file, 'utf8');
  const exec = /^ExecStart=(.+)$/m.exec(text)?.[1]?.trim().split(/\s+/);
  if (!exec) throw new Error(`No ExecStart in ${file}`);
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  return { exec, env };
}

/** Starts what the unit's ExecStart names with its Environment= (plus `extraEnv`), as systemd would. */
export function startFromUnit(file: string, extraEnv: Record<string, string> = {}): AgentProcess {
  const { exec, env } = readUnit(file);
  const [program, ...args] = exec;
  return spawnAgent(args, { ...env, ...extraEnv }, { executable: program! });
}
