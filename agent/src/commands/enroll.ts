/** `vibe-agent enroll`: exchanges a one-time token for the agent's credentials and writes the config file (0600). */
import { createClient } from '@supabase/supabase-js';
import type { Database } from '../../../supabase/functions/_shared/database.types.ts';
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

/** Calls the enroll-agent function; its error message (token used, expired, unknown) is passed on as is. */
export async function enroll(options: EnrollOptions): Promise<Enrollment> {
  const client = createClient<Database>(options.url, options.key, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const { data, error, response } = await client.functions.invoke('enroll-agent', {
    body: { token: options.token, ...(options.name ? { name: options.name } : {}) },
  });
  if (error) {
    let detail = error.message;
    try {
      const body = (await (response as Response | undefined)?.json()) as
        | { message?: string; error?: string; msg?: string }
        | undefined;
      detail = body?.message ?? body?.error ?? body?.msg ?? detail;
    } catch {
      // not JSON: keep supabase-js' message
    }
    throw new Error(`Enrollment failed${response ? ` (HTTP ${(response as Response).status})` : ''}: ${detail}`);
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
