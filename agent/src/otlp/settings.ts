/** Settings of the OTLP receiver, from `VIBE_AGENT_OTLP*` variables or the config file's `otlp` entry (variables win). */

/** The receiver's frozen settings. */
export interface OtlpSettings {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  /** Largest accepted body, after gunzip; past it the answer is 413. */
  readonly maxBodyBytes: number;
  /** Distinct routes per service; later ones fold into "other". */
  readonly maxRoutesPerService: number;
  /** Distinct services; later ones fold into "other". */
  readonly maxServices: number;
}

/** The config file's `otlp`: `true`, or an object. */
export type OtlpConfig =
  | boolean
  | { enabled?: boolean; address?: string; maxBodyBytes?: number; maxRoutesPerService?: number; maxServices?: number };

/** OTLP/HTTP's registered port, on loopback only: applications on this host send, nobody else. */
export const DEFAULT_OTLP_ADDRESS = '127.0.0.1:4318';

function flag(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new Error(`Invalid VIBE_AGENT_OTLP: expected 1 or 0, got "${raw}"`);
}

function int(name: string, raw: unknown, fallback: number, min: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`Invalid ${name}: expected a whole number of at least ${min}, got "${String(raw)}"`);
  return n;
}

/** Splits "host:port" (IPv6 in brackets) into its parts. */
export function parseAddress(raw: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new Error(
      `Invalid VIBE_AGENT_OTLP_ADDRESS: expected host:port such as ${DEFAULT_OTLP_ADDRESS}, got "${raw}"`,
    );
  return { host: (m[1] ?? m[2])!, port };
}

/** Reads the receiver settings; off unless VIBE_AGENT_OTLP=1 or the config file enables it. */
export function parseOtlpSettings(env: NodeJS.ProcessEnv, file: OtlpConfig | undefined): OtlpSettings {
  const o = typeof file === 'object' && file !== null ? file : {};
  const enabled =
    env.VIBE_AGENT_OTLP !== undefined && env.VIBE_AGENT_OTLP !== ''
      ? flag(env.VIBE_AGENT_OTLP)
      : file === true || o.enabled === true;
  const pick = (envName: string, value: unknown) =>
    env[envName] !== undefined && env[envName] !== '' ? env[envName] : value;
  const { host, port } = parseAddress(String(pick('VIBE_AGENT_OTLP_ADDRESS', o.address) ?? DEFAULT_OTLP_ADDRESS));
  return Object.freeze({
    enabled,
    host,
    port,
    maxBodyBytes: int(
      'VIBE_AGENT_OTLP_MAX_BODY_BYTES',
      pick('VIBE_AGENT_OTLP_MAX_BODY_BYTES', o.maxBodyBytes),
      4 * 1024 * 1024,
      1024,
    ),
    maxRoutesPerService: int(
      'VIBE_AGENT_OTLP_MAX_ROUTES',
      pick('VIBE_AGENT_OTLP_MAX_ROUTES', o.maxRoutesPerService),
      100,
      1,
    ),
    maxServices: int('VIBE_AGENT_OTLP_MAX_SERVICES', pick('VIBE_AGENT_OTLP_MAX_SERVICES', o.maxServices), 100, 1),
  });
}
