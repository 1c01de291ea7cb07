/**
 * A simulated fleet for load runs: hosts and their agent Auth users made in bulk with SQL, each with an
 * access token shaped as the stack's Auth issues it (sub, role, app_metadata) and signed with the
 * project's HS256 JWT secret, which the REST gateway accepts as hosted PostgREST does. Sign-in cost
 * (bcrypt per password grant) is measured by auth-burst.bench.ts, not here: ten thousand password
 * grants would take the generator's two cores for minutes and say nothing about ingest.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Queryable } from '../../../testkit/src/provision.ts';
import { sampleRow } from './simulated-agent.ts';

/** One simulated agent. */
export interface FleetAgent {
  hostId: string;
  token: string;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An HS256 JWT for the claims (no library: the generator signs ten thousand of them). */
export function signHs256(secret: string, claims: Record<string, unknown>): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** Makes `count` hosts named `<prefix>-<n>` in the team, each bound to its own agent user, with tokens valid for `ttlS`. */
export async function provisionFleet(
  db: Queryable,
  jwtSecret: string,
  teamId: string,
  count: number,
  prefix: string,
  ttlS = 6 * 3600,
): Promise<FleetAgent[]> {
  // Users first, then hosts bound to them: one statement cannot update rows a CTE of its own inserted.
  const { rows } = await db.query<{ host_id: string; user_id: string }>(
    `with ids as (
       select gen_random_uuid() as host_id, gen_random_uuid() as user_id, g from generate_series(1, $3) g
     ), u as (
       insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data)
       select i.user_id, 'authenticated', 'authenticated', $2 || '-' || i.host_id || '@agents.vibe.test', now(),
         jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'), 'vibe_role', 'agent',
           'host_id', i.host_id, 'team_id', $1::uuid)
       from ids i returning id
     )
     insert into public.hosts (id, team_id, name, agent_user_id)
     select i.host_id, $1, $2 || '-' || i.g, i.user_id from ids i
     where exists (select 1 from u where u.id = i.user_id)
     returning id as host_id, agent_user_id as user_id`,
    [teamId, prefix, count],
  );
  if (rows.length !== count) throw new Error(`Provisioned ${rows.length} of ${count} agents`);
  const iat = Math.floor(Date.now() / 1000);
  return rows.map((r) => ({
    hostId: r.host_id,
    token: signHs256(jwtSecret, {
      iss: 'vibe-load',
      sub: r.user_id,
      aud: 'authenticated',
      role: 'authenticated',
      email: `${prefix}-${r.host_id}@agents.vibe.test`,
      app_metadata: { provider: 'email', vibe_role: 'agent', host_id: r.host_id, team_id: teamId },
      user_metadata: {},
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: iat }],
      session_id: randomUUID(),
      is_anonymous: false,
      iat,
      exp: iat + ttlS,
    }),
  }));
}

/** A keep-alive HTTP client for the generator: at most `sockets` connections to the gateway. */
export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

/** POSTs a JSON body; resolves with the status (0 when no answer within `timeoutMs`). */
export function postJson(
  agent: http.Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs = 30_000,
): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** The URL the agent's supabase-js upsert posts host samples to: on_conflict and the quoted column list. */
export function ingestUrl(supabaseUrl: string): URL {
  const url = new URL(`${supabaseUrl}/rest/v1/host_samples`);
  url.searchParams.set('on_conflict', 'host_id,ts');
  const columns = Object.keys(sampleRow('00000000-0000-0000-0000-000000000000', new Date(0), 0));
  url.searchParams.set('columns', columns.map((c) => `"${c}"`).join(','));
  return url;
}
