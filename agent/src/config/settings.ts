/** The agent's settings: read once from the config file and `VIBE_AGENT_*` variables (variables win), then frozen. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DbTarget } from '../checks/db-check.ts';
import { databaseName } from '../checks/db-url.ts';
import type { HttpCheck } from '../checks/http-check.ts';
import { parseOtlpSettings, type OtlpConfig, type OtlpSettings } from '../otlp/settings.ts';

/** Everything `vibe-agent run` needs. */
export interface AgentSettings {
  readonly configFile: string;
  /** Project URL (SUPABASE_URL). */
  readonly url: string;
  /** Anon or publishable key. */
  readonly key: string;
  readonly hostId: string;
  readonly teamId: string | null;
  readonly hostName: string | null;
  /** The agent's own Auth user, from enrollment. */
  readonly email: string;
  readonly password: string;
  readonly dataDir: string;
  readonly sampleIntervalS: number;
  readonly sendIntervalS: number;
  readonly dbIntervalS: number;
  /** Longest wait between retries after failures. */
  readonly retryMaxS: number;
  readonly queueMaxBytes: number;
  readonly procRoot: string;
  readonly sysRoot: string;
  readonly rootfs: string;
  readonly databases: readonly DbTarget[];
  readonly httpChecks: readonly HttpCheck[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The containers collector (cgroups, names from the Docker/Podman socket); on by default. */
  readonly containers: boolean;
  /** The engine socket to ask for container names; null tries Docker's, then Podman's. */
  readonly containerSocket: string | null;
  /** How many processes to report by CPU and by memory each sample (0–50; 0 turns the collector off). */
  readonly processesTop: number;
  /** The OTLP/HTTP receiver (agent/src/otlp); absent or disabled means off. */
  readonly otlp?: OtlpSettings;
  /** The dashboard the agent was installed from: where `update` looks (install.sh sets it at enroll). */
  readonly dashboardUrl?: string | null;
  /** Whether `run` checks the dashboard for a new agent every `updateIntervalS` and installs it (off by default). */
  readonly autoUpdate?: boolean;
  readonly updateIntervalS?: number;
}

/** What the config file holds (all optional; enrollment writes the credentials). */
export type ConfigFile = Partial<Omit<AgentSettings, 'configFile' | 'databases' | 'httpChecks' | 'otlp'>> & {
  otlp?: OtlpConfig;
  databases?: (string | { name?: string; url: string })[];
  httpChecks?: (string | (Partial<HttpCheck> & { url: string }))[];
};

const isRoot = () => process.getuid?.() === 0;

/** Default config file: /etc/vibe-agent/config.json for root, ~/.config/vibe-agent/config.json otherwise. */
export function defaultConfigFile(): string {
  return isRoot() ? '/etc/vibe-agent/config.json' : path.join(os.homedir(), '.config', 'vibe-agent', 'config.json');
}

/** Default data directory (queue, session, status): /var/lib/vibe-agent for root, ~/.local/state/vibe-agent otherwise. */
export function defaultDataDir(): string {
  return isRoot() ? '/var/lib/vibe-agent' : path.join(os.homedir(), '.local', 'state', 'vibe-agent');
}

/** The config file path from `--config`, then VIBE_AGENT_CONFIG, then the default. */
export function configPath(env: NodeJS.ProcessEnv, flag?: string): string {
  return path.resolve(flag ?? env.VIBE_AGENT_CONFIG ?? defaultConfigFile());
}

/** Reads the config file; a missing file is an empty config, a broken one an error naming it. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as ConfigFile;
  } catch (err) {
    throw new Error(`Cannot parse config file ${file}: ${(err as Error).message}`);
  }
}

/** Writes the config file with mode 0600 (it holds the agent's password), creating its directory. */
export function writeConfigFile(file: string, config: ConfigFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

function num(name: string, raw: unknown, fallback: number, min: number): number {
  if (raw === undefined || raw === '' || raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`Invalid ${name}: expected a number of at least ${min}, got "${String(raw)}"`);
  return n;
}

/** A yes/no setting: true/false, 1/0, on/off, yes/no. */
export function bool(name: string, raw: unknown, fallback: boolean): boolean {
  if (raw === undefined || raw === '' || raw === null) return fallback;
  if (typeof raw === 'boolean') return raw;
  const t = String(raw).trim().toLowerCase();
  if (['true', '1', 'on', 'yes'].includes(t)) return true;
  if (['false', '0', 'off', 'no'].includes(t)) return false;
  throw new Error(`Invalid ${name}: expected true or false, got "${String(raw)}"`);
}

/** A whole number within [min, max]. */
export function int(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '' || raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`Invalid ${name}: expected a whole number from ${min} to ${max}, got "${String(raw)}"`);
  return n;
}

function parseList<T>(name: string, raw: unknown): T[] {
  if (raw === undefined || raw === '' || raw === null) return [];
  if (Array.isArray(raw)) return raw as T[];
  const text = String(raw).trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as T[];
    } catch (err) {
      throw new Error(`Invalid ${name}: ${(err as Error).message}`);
    }
  }
  // Comma-separated URLs, the short form for variables.
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean) as T[];
}

/** Normalises configured databases: a URL string or {name, url}. */
export function parseDatabases(raw: unknown): DbTarget[] {
  return parseList<string | { name?: string; url: string }>('VIBE_AGENT_DATABASES', raw).map((d) => {
    const target = typeof d === 'string' ? { url: d } : d;
    if (!target.url) throw new Error('Invalid VIBE_AGENT_DATABASES: each entry needs a url');
    return { name: target.name ?? databaseName(target.url), url: target.url };
  });
}

/** Normalises configured HTTP checks: a URL string or an object with url and optional method, expectedStatus, timeoutMs, intervalS, name, insecureTls. */
export function parseHttpChecks(raw: unknown): HttpCheck[] {
  return parseList<string | (Partial<HttpCheck> & { url: string })>('VIBE_AGENT_HTTP_CHECKS', raw).map((c) => {
    const o = typeof c === 'string' ? { url: c } : c;
    try {
      new URL(o.url);
    } catch {
      throw new Error(`Invalid VIBE_AGENT_HTTP_CHECKS: "${o.url}" is not a URL`);
    }
    const expected =
      o.expectedStatus === undefined
        ? []
        : Array.isArray(o.expectedStatus)
          ? o.expectedStatus
          : [Number(o.expectedStatus)];
    return {
      name: o.name ?? o.url,
      url: o.url,
      method: (o.method ?? 'GET').toUpperCase(),
      expectedStatus: expected.map(Number),
      timeoutMs: num('httpChecks.timeoutMs', o.timeoutMs, 10_000, 1),
      intervalS: num('httpChecks.intervalS', o.intervalS, 30, 0.1),
      insecureTls: Boolean(o.insecureTls),
    };
  });
}

/** Settings for commands that do not need credentials (`print`, `status`). */
export function loadLocalSettings(
  env: NodeJS.ProcessEnv,
  configFlag?: string,
): { file: ConfigFile; configFile: string } {
  const configFile = configPath(env, configFlag);
  return { file: readConfigFile(configFile), configFile };
}

const REQUIRED: [keyof AgentSettings, string][] = [
  ['url', 'VIBE_AGENT_URL'],
  ['key', 'VIBE_AGENT_KEY'],
  ['hostId', 'VIBE_AGENT_HOST_ID'],
  ['email', 'VIBE_AGENT_EMAIL'],
  ['password', 'VIBE_AGENT_PASSWORD'],
];

/** Builds the frozen settings; a missing required value fails with one message naming it and how to set it. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, configFlag?: string): AgentSettings {
  const { file, configFile } = loadLocalSettings(env, configFlag);
  const pick = (k: keyof ConfigFile, envName: string): unknown =>
    env[envName] !== undefined && env[envName] !== '' ? env[envName] : file[k];
  const str = (k: keyof ConfigFile, envName: string) => {
    const v = pick(k, envName);
    return v === undefined || v === null ? '' : String(v);
  };
  const values = {
    url: str('url', 'VIBE_AGENT_URL').replace(/\/+$/, ''),
    key: str('key', 'VIBE_AGENT_KEY'),
    hostId: str('hostId', 'VIBE_AGENT_HOST_ID'),
    email: str('email', 'VIBE_AGENT_EMAIL'),
    password: str('password', 'VIBE_AGENT_PASSWORD'),
  };
  for (const [k, envName] of REQUIRED) {
    if (!values[k as keyof typeof values]) {
      throw new Error(
        `Missing setting "${k}": set ${envName} or put "${k}" in ${configFile} (vibe-agent enroll writes it)`,
      );
    }
  }
  const level = str('logLevel', 'VIBE_AGENT_LOG_LEVEL') || 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    throw new Error(`Invalid VIBE_AGENT_LOG_LEVEL: expected debug, info, warn or error, got "${level}"`);
  return Object.freeze({
    configFile,
    ...values,
    teamId: str('teamId', 'VIBE_AGENT_TEAM_ID') || null,
    hostName: str('hostName', 'VIBE_AGENT_HOST_NAME') || null,
    dataDir: path.resolve(str('dataDir', 'VIBE_AGENT_DATA_DIR') || defaultDataDir()),
    sampleIntervalS: num('VIBE_AGENT_SAMPLE_INTERVAL', pick('sampleIntervalS', 'VIBE_AGENT_SAMPLE_INTERVAL'), 5, 0.1),
    sendIntervalS: num('VIBE_AGENT_SEND_INTERVAL', pick('sendIntervalS', 'VIBE_AGENT_SEND_INTERVAL'), 10, 0.1),
    dbIntervalS: num('VIBE_AGENT_DB_INTERVAL', pick('dbIntervalS', 'VIBE_AGENT_DB_INTERVAL'), 30, 0.1),
    retryMaxS: num('VIBE_AGENT_RETRY_MAX', pick('retryMaxS', 'VIBE_AGENT_RETRY_MAX'), 60, 0.1),
    queueMaxBytes: num(
      'VIBE_AGENT_QUEUE_MAX_BYTES',
      pick('queueMaxBytes', 'VIBE_AGENT_QUEUE_MAX_BYTES'),
      64 * 1024 * 1024,
      65536,
    ),
    procRoot: str('procRoot', 'VIBE_AGENT_PROC_ROOT') || '/proc',
    sysRoot: str('sysRoot', 'VIBE_AGENT_SYS_ROOT') || '/sys',
    rootfs: str('rootfs', 'VIBE_AGENT_ROOTFS') || '/',
    databases: Object.freeze(parseDatabases(pick('databases', 'VIBE_AGENT_DATABASES'))),
    httpChecks: Object.freeze(parseHttpChecks(pick('httpChecks', 'VIBE_AGENT_HTTP_CHECKS'))),
    logLevel: level as AgentSettings['logLevel'],
    containers: bool('VIBE_AGENT_CONTAINERS', pick('containers', 'VIBE_AGENT_CONTAINERS'), true),
    containerSocket: str('containerSocket', 'VIBE_AGENT_CONTAINER_SOCKET') || null,
    processesTop: int('VIBE_AGENT_PROCESSES_TOP', pick('processesTop', 'VIBE_AGENT_PROCESSES_TOP'), 10, 0, 50),
    otlp: parseOtlpSettings(env, file.otlp),
    dashboardUrl: str('dashboardUrl', 'VIBE_AGENT_DASHBOARD_URL').replace(/\/+$/, '') || null,
    autoUpdate: bool('VIBE_AGENT_AUTO_UPDATE', pick('autoUpdate', 'VIBE_AGENT_AUTO_UPDATE'), false),
    updateIntervalS: num('VIBE_AGENT_UPDATE_INTERVAL', pick('updateIntervalS', 'VIBE_AGENT_UPDATE_INTERVAL'), 86400, 1),
  });
}
