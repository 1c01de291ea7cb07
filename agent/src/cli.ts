#!/usr/bin/env node
/** The `vibe-agent` command: enroll, run, status, print, install-service. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { configPath, defaultDataDir, loadLocalSettings, loadSettings } from './config/settings.ts';
import { createLogger } from './log.ts';

// Each command imports what it needs when it runs, so a long-running `run` never holds the others' modules.

const USAGE = `Usage: vibe-agent <command> [options]

Commands:
  enroll --url <SUPABASE_URL> --key <anon or publishable key> --token <enrollment token> [--name <host name>]
                      exchange a one-time token for this host's credentials; writes the config file (mode 0600)
  run                 sample, check and send until stopped (SIGTERM/SIGINT flush the queue)
  status [--json]     queue depth, last send, last error
  print               one host sample as JSON (no network, no credentials)
  install-service [--output <unit file>] [--user <name>]
                      write a systemd unit and print how to enable it

Options for every command:
  --config <file>     config file (default: VIBE_AGENT_CONFIG, /etc/vibe-agent/config.json as root,
                      ~/.config/vibe-agent/config.json otherwise)

Settings come from the config file and VIBE_AGENT_* variables (variables win): VIBE_AGENT_URL, VIBE_AGENT_KEY,
VIBE_AGENT_HOST_ID, VIBE_AGENT_EMAIL, VIBE_AGENT_PASSWORD, VIBE_AGENT_DATA_DIR, VIBE_AGENT_SAMPLE_INTERVAL (s, 5),
VIBE_AGENT_SEND_INTERVAL (s, 10), VIBE_AGENT_DB_INTERVAL (s, 30), VIBE_AGENT_RETRY_MAX (s, 60),
VIBE_AGENT_QUEUE_MAX_BYTES, VIBE_AGENT_PROC_ROOT, VIBE_AGENT_SYS_ROOT, VIBE_AGENT_ROOTFS,
VIBE_AGENT_DATABASES (URLs, comma-separated, or JSON), VIBE_AGENT_HTTP_CHECKS (URLs or JSON), VIBE_AGENT_LOG_LEVEL,
VIBE_AGENT_OTLP (1 to receive OpenTelemetry), VIBE_AGENT_OTLP_ADDRESS (127.0.0.1:4318), VIBE_AGENT_OTLP_MAX_BODY_BYTES,
VIBE_AGENT_OTLP_MAX_ROUTES (per service, 100), VIBE_AGENT_OTLP_MAX_SERVICES (100).
`;

/**
 * V8 flags for the long-running agent, each trading a little CPU for resident memory (measured in
 * bench/src/agent.bench.ts): a 1 MB young generation (the agent's garbage is small and short-lived);
 * WebAssembly (fetch's HTTP parser) kept on the baseline compiler, whose optimizing tier-up alone
 * costs ~14 MB; no background compiler/GC threads, whose malloc arenas keep memory after use.
 */
const RUN_FLAGS = ['--max-semi-space-size=1', '--liftoff-only', '--no-wasm-tier-up', '--single-threaded', '--disable-warning=ExperimentalWarning'];

function fail(message: string): never {
  process.stderr.write(`vibe-agent: ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
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
    },
    strict: true,
  });
  const env = process.env;
  switch (command) {
    case 'enroll': {
      const url = values.url ?? env.VIBE_AGENT_URL;
      const key = values.key ?? env.VIBE_AGENT_KEY;
      const token = values.token ?? env.VIBE_AGENT_TOKEN;
      if (!url) fail('Missing --url: the project URL (SUPABASE_URL)');
      if (!key) fail('Missing --key: the anon or publishable key');
      if (!token) fail('Missing --token: the one-time enrollment token from the dashboard');
      const configFile = configPath(env, values.config);
      const { enroll } = await import('./commands/enroll.ts');
      const e = await enroll({ url, key, token, name: values.name, configFile });
      process.stdout.write(`Enrolled host ${e.hostName ?? e.hostId} (${e.hostId}). Wrote ${configFile} (mode 0600).\nStart the agent with: vibe-agent run\n`);
      return;
    }
    case 'run': {
      const settings = loadSettings(env, values.config);
      const log = createLogger(settings.logLevel);
      if (import.meta.filename.endsWith('.ts') && env.VIBE_AGENT_NO_REEXEC !== '1') {
        // Run from a stripped JavaScript copy so the type-stripping compiler never loads in the
        // long-running process (same pid: systemd and signals see no difference).
        const { buildJs } = await import('./runtime/js-build.ts');
        const entry = buildJs(path.join(settings.dataDir, 'js'));
        process.execve!(process.execPath, [process.execPath, ...RUN_FLAGS, entry, ...argv], { MALLOC_ARENA_MAX: '2', ...env });
      }
      const { startAgent } = await import('./agent.ts');
      const agent = await startAgent(settings, log);
      let signals = 0;
      const onSignal = (sig: string) => {
        if (++signals > 1) process.exit(1); // a second Ctrl-C means "now"
        log.info(`${sig} received, flushing and stopping`);
        void agent.stop().then(() => process.exit(0));
      };
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      process.on('SIGINT', () => onSignal('SIGINT'));
      return;
    }
    case 'status': {
      const { file } = loadLocalSettings(env, values.config);
      const dataDir = path.resolve(env.VIBE_AGENT_DATA_DIR || file.dataDir || defaultDataDir());
      const { formatStatus, readStatusReport } = await import('./commands/status.ts');
      const report = await readStatusReport(dataDir);
      process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report) + '\n');
      return;
    }
    case 'print': {
      const { file } = loadLocalSettings(env, values.config);
      const { printSample } = await import('./commands/print.ts');
      const sample = await printSample({
        procRoot: env.VIBE_AGENT_PROC_ROOT || file.procRoot,
        sysRoot: env.VIBE_AGENT_SYS_ROOT || file.sysRoot,
        rootfs: env.VIBE_AGENT_ROOTFS || file.rootfs,
      });
      process.stdout.write(JSON.stringify(sample, null, 2) + '\n');
      return;
    }
    case 'install-service': {
      const configFile = configPath(env, values.config);
      const { file } = loadLocalSettings(env, values.config);
      const unit = values.output ?? '/etc/systemd/system/vibe-agent.service';
      const { installService } = await import('./commands/install-service.ts');
      const message = installService(unit, {
        nodePath: process.execPath,
        cliPath: path.resolve(import.meta.filename),
        configFile,
        dataDir: path.resolve(env.VIBE_AGENT_DATA_DIR || file.dataDir || defaultDataDir()),
        user: values.user,
      });
      process.stdout.write(message + '\n');
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`Unknown command "${command}". Run "vibe-agent help" for the list.`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => fail(err.message));
