/** One simulated agent: its own Auth session, and host samples sent over real HTTP as the agent's sender sends them. */
import type { AgentCredential, StackUrls } from '../../../testkit/src/provision.ts';

/** Counters of one agent. */
export interface AgentStats {
  /** Sample times the API acknowledged. */
  acked: string[];
  /** Requests answered with an error or not answered at all (each retried). */
  errors: number;
  latenciesMs: number[];
}

/** Signs in with the password grant (what supabase-js sends) and returns the access token. */
export async function signIn(env: StackUrls, cred: AgentCredential): Promise<string> {
  const res = await fetch(`${env.SUPABASE_URL}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: env.SUPABASE_ANON_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ email: cred.email, password: cred.password }),
  });
  const body = (await res.json()) as { access_token?: string; msg?: string; message?: string };
  if (!res.ok || !body.access_token)
    throw new Error(`Agent ${cred.email} cannot sign in (${res.status}): ${body.msg ?? body.message}`);
  return body.access_token;
}

/** A host sample row shaped like the agent's (pure). */
export function sampleRow(hostId: string, ts: Date, cpu: number): Record<string, unknown> {
  const gib = 1024 ** 3;
  return {
    host_id: hostId,
    ts: ts.toISOString(),
    cpu_total: cpu,
    cpu_user: cpu * 0.7,
    cpu_system: cpu * 0.3,
    cpu_count: 4,
    load_1: 0.5,
    load_5: 0.4,
    load_15: 0.3,
    mem_total: 8 * gib,
    mem_used: 3 * gib,
    mem_available: 5 * gib,
    swap_total: 0,
    swap_used: 0,
    disk_total: 100 * gib,
    disk_used: 40 * gib,
    disk_read_bps: 1200,
    disk_write_bps: 3400,
    net_rx_bps: 5600,
    net_tx_bps: 7800,
    net_connections: 42,
    uptime_s: 86400,
    process_count: 180,
    temp_c: 48,
  };
}

/** Upserts rows (ignoring duplicates, as the agent's sender does); retries up to `retries` times, counting each failure. */
export async function sendRows(
  env: StackUrls,
  token: string,
  rows: Record<string, unknown>[],
  stats: AgentStats,
  retries = 5,
): Promise<boolean> {
  for (let attempt = 0; attempt <= retries; attempt++) {
    const t0 = performance.now();
    try {
      const res = await fetch(`${env.SUPABASE_URL}/rest/v1/host_samples?on_conflict=host_id,ts`, {
        method: 'POST',
        headers: {
          apikey: env.SUPABASE_ANON_KEY,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          prefer: 'return=minimal,resolution=ignore-duplicates',
        },
        body: JSON.stringify(rows),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      if (res.ok) {
        stats.latenciesMs.push(performance.now() - t0);
        for (const r of rows) stats.acked.push(r.ts as string);
        return true;
      }
    } catch {
      /* counted below */
    }
    stats.errors++;
    await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
  }
  return false;
}
