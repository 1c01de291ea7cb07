/** `vibe-agent enroll`: exchanges a one-time token for the agent's credentials and writes the config file (0600). */
import { readConfigFile, writeConfigFile, type ConfigFile } from '../config/settings.ts';

/** What enrollment needs. */
export interface EnrollOptions {
  url: string;
  key: string;
  token: string;
  name?: string;
  configFile: string;
  /** The dashboard the agent came from, kept for `vibe-agent update`. */
  dashboardUrl?: string;
  /** Turn on the daily update check. */
  autoUpdate?: boolean;
}

/** The credentials the enroll-agent function hands out. */
export interface Enrollment {
  hostId: string;
  teamId: string | null;
  hostName: string | null;
  email: string;
  password: string;
}

function pickString(body: Record<string, unknown>, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = body[k];
    if (typeof v === 'string' && v) return v;
  }
  return null;
}

/** Reads the function's answer (snake_case or camelCase, flat or under `agent`/`host`). */
export function parseEnrollment(raw: unknown): Enrollment {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const nested = (k: string) => (body[k] && typeof body[k] === 'object' ? (body[k] as Record<string, unknown>) : {});
  const all = { ...nested('host'), ...nested('agent'), ...nested('credentials'), ...body };
  const hostId = pickString(all, 'host_id', 'hostId') ?? pickString(nested('host'), 'id');
  const email = pickString(all, 'email', 'agent_email');
  const password = pickString(all, 'password', 'agent_password');
  if (!hostId || !email || !password) {
    throw new Error(
      `Enrollment answer is missing ${[!hostId && 'host_id', !email && 'email', !password && 'password'].filter(Boolean).join(', ')}: ${JSON.stringify(raw).slice(0, 200)}`,
    );
  }
  return {
    hostId,
    teamId: pickString(all, 'team_id', 'teamId'),
    hostName: pickString(all, 'host_name', 'hostName') ?? pickString(nested('host'), 'name'),
    email,
    password,
  };
}

/**
 * Calls the enroll-agent function (`POST /functions/v1/enroll-agent` with the key as apikey and
 * bearer, as supabase-js' functions.invoke sends it); its error message (token used, expired,
 * unknown) is passed on as is.
 */
export async function enroll(options: EnrollOptions): Promise<Enrollment> {
  const url = `${options.url.replace(/\/+$/, '')}/functions/v1/enroll-agent`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        apikey: options.key,
        Authorization: `Bearer ${options.key}`,
        'X-Client-Info': 'vibe-agent',
      },
      body: JSON.stringify({ token: options.token, ...(options.name ? { name: options.name } : {}) }),
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`Enrollment failed: cannot reach ${url}: ${cause ?? (err as Error).message}`);
  }
  const text = await response.text();
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) {
    const body = (data && typeof data === 'object' ? data : {}) as { message?: string; error?: string; msg?: string };
    const detail =
      body.message ?? body.error ?? body.msg ?? (text.trim() || 'Edge Function returned a non-2xx status code');
    throw new Error(`Enrollment failed (HTTP ${response.status}): ${detail}`);
  }
  const parsed = parseEnrollment(data);
  // The server does not store the name given here; it names the host in this agent's logs.
  const enrollment = { ...parsed, hostName: parsed.hostName ?? options.name ?? null };
  const previous: ConfigFile = readConfigFile(options.configFile);
  writeConfigFile(options.configFile, {
    ...previous,
    url: options.url.replace(/\/+$/, ''),
    key: options.key,
    hostId: enrollment.hostId,
    teamId: enrollment.teamId,
    hostName: enrollment.hostName,
    email: enrollment.email,
    password: enrollment.password,
    ...(options.dashboardUrl ? { dashboardUrl: options.dashboardUrl.replace(/\/+$/, '') } : {}),
    ...(options.autoUpdate ? { autoUpdate: true } : {}),
  });
  return enrollment;
}
