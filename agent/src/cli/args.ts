/** The `vibe-agent` command line: its usage text, and the parsing of the command and its options (no I/O). */
import { parseArgs } from 'node:util';

/** What `vibe-agent help` prints. */
export const USAGE = `Usage: vibe-agent <command> [options]

Commands:
  enroll --url <SUPABASE_URL> --key <anon or publishable key> --token <enrollment token> [--name <host name>]
         [--dashboard <dashboard URL>] [--auto-update]
                      exchange a one-time token for this host's credentials; writes the config file (mode 0600)
  run                 sample, check and send until stopped (SIGTERM/SIGINT flush the queue)
  status [--json]     queue depth, last send, last error
  print               one host sample as JSON (no network, no credentials)
  install-service [--output <unit file>] [--user <name>]
                      write a systemd unit and print how to enable it
  update [--check]    install the dashboard's current agent in place of this executable (checksum verified)
                      and restart the vibe-agent service; --check only compares versions
  version, --version  this agent's version and build

Options for every command:
  --config <file>     config file (default: VIBE_AGENT_CONFIG, /etc/vibe-agent/config.json as root,
                      ~/.config/vibe-agent/config.json otherwise)

Settings come from the config file and VIBE_AGENT_* variables (variables win): VIBE_AGENT_URL, VIBE_AGENT_KEY,
VIBE_AGENT_HOST_ID, VIBE_AGENT_EMAIL, VIBE_AGENT_PASSWORD, VIBE_AGENT_DATA_DIR, VIBE_AGENT_SAMPLE_INTERVAL (s, 5),
VIBE_AGENT_SEND_INTERVAL (s, 10), VIBE_AGENT_DB_INTERVAL (s, 30), VIBE_AGENT_RETRY_MAX (s, 60),
VIBE_AGENT_QUEUE_MAX_BYTES, VIBE_AGENT_PROC_ROOT, VIBE_AGENT_SYS_ROOT, VIBE_AGENT_ROOTFS,
VIBE_AGENT_DATABASES (URLs, comma-separated, or JSON), VIBE_AGENT_HTTP_CHECKS (URLs or JSON), VIBE_AGENT_LOG_LEVEL,
VIBE_AGENT_OTLP (1 to receive OpenTelemetry), VIBE_AGENT_OTLP_ADDRESS (127.0.0.1:4318), VIBE_AGENT_OTLP_MAX_BODY_BYTES,
VIBE_AGENT_OTLP_MAX_ROUTES (per service, 100), VIBE_AGENT_OTLP_MAX_SERVICES (100), VIBE_AGENT_DASHBOARD_URL,
VIBE_AGENT_AUTO_UPDATE (1 to update from the dashboard every VIBE_AGENT_UPDATE_INTERVAL s, 86400),
VIBE_AGENT_CONTAINERS (true/false, true), VIBE_AGENT_CONTAINER_SOCKET (Docker or Podman API socket),
VIBE_AGENT_PROCESSES_TOP (processes by CPU and by memory per sample, 0–50, 10; 0 = off).
`;

/** The options any command may take. */
export interface CliOptions {
  config?: string;
  url?: string;
  key?: string;
  token?: string;
  name?: string;
  output?: string;
  user?: string;
  json?: boolean;
  help?: boolean;
  dashboard?: string;
  'auto-update'?: boolean;
  check?: boolean;
}

/** A parsed command line. */
export interface CommandLine {
  /** The first argument; undefined when there is none. */
  command: string | undefined;
  options: CliOptions;
}

/** Splits off the command and parses the options after it; an unknown or malformed option throws node:util's message. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      token: { type: 'string' },
      name: { type: 'string' },
      output: { type: 'string' },
      user: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      dashboard: { type: 'string' },
      'auto-update': { type: 'boolean' },
      check: { type: 'boolean' },
    },
    strict: true,
  });
  return { command, options: values };
}

/** Whether `command` asks for the usage text. */
export function isHelp(command: string | undefined): boolean {
  return command === undefined || command === 'help' || command === '--help' || command === '-h';
}

/** What `enroll` needs from the options, falling back to VIBE_AGENT_URL, VIBE_AGENT_KEY and VIBE_AGENT_TOKEN. */
export interface EnrollArgs {
  url: string;
  key: string;
  token: string;
  name: string | undefined;
  dashboardUrl: string | undefined;
  autoUpdate: boolean;
}

/** The enroll arguments; a missing one throws a message that says which flag to give. */
export function enrollArgs(options: CliOptions, env: NodeJS.ProcessEnv): EnrollArgs {
  const url = options.url ?? env.VIBE_AGENT_URL;
  const key = options.key ?? env.VIBE_AGENT_KEY;
  const token = options.token ?? env.VIBE_AGENT_TOKEN;
  if (!url) throw new Error('Missing --url: the project URL (SUPABASE_URL)');
  if (!key) throw new Error('Missing --key: the anon or publishable key');
  if (!token) throw new Error('Missing --token: the one-time enrollment token from the dashboard');
  return {
    url,
    key,
    token,
    name: options.name,
    dashboardUrl: options.dashboard ?? env.VIBE_AGENT_DASHBOARD_URL,
    autoUpdate: options['auto-update'] === true,
  };
}
