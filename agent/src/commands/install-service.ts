/** `vibe-agent install-service`: writes a systemd unit and says how to enable it. */
import fs from 'node:fs';
import path from 'node:path';

/** What goes into the unit. */
export interface ServiceOptions {
  /** What runs the agent: the executable's absolute path, or node and cli.ts. */
  command: string[];
  configFile: string;
  dataDir: string;
  /** Run as this user instead of root (it must be able to read /proc and the config file). */
  user?: string;
}

/** The unit text. Collectors need no root; the hardening keeps the agent to reading the system and writing its data directory. */
export function systemdUnit(o: ServiceOptions): string {
  return `[Unit]
Description=OpenManager Vibe host agent
Documentation=https://github.com/openmanager-vibe
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${o.command.join(' ')} run
Environment=VIBE_AGENT_CONFIG=${o.configFile}
Environment=VIBE_AGENT_DATA_DIR=${o.dataDir}
${o.user ? `User=${o.user}\n` : ''}Restart=always
RestartSec=5
TimeoutStopSec=20
KillSignal=SIGTERM
${o.dataDir.startsWith('/var/lib/') ? `StateDirectory=${o.dataDir.slice('/var/lib/'.length)}\n` : ''}NoNewPrivileges=true
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=${o.dataDir}
PrivateTmp=true
Nice=5

[Install]
WantedBy=multi-user.target
`;
}

/** Writes the unit to `file` (mode 0644) and returns the instructions to print. */
export function installService(file: string, o: ServiceOptions): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, systemdUnit(o), { mode: 0o644 });
  const name = path.basename(file);
  return `Wrote ${file}. Enable and start it with:\n  systemctl daemon-reload && systemctl enable --now ${name}\nThen follow its log with:\n  journalctl -u ${name} -f`;
}
