/**
 * Generated hostile requests against /rest/v1 and the enroll-agent function, sent as an agent, a viewer and
 * anon: each must be answered 4xx with a clear message, the gateway must still serve afterwards, and the
 * team's rows (every public table) must be byte-for-byte unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, env, superuser, type TeamFixture } from '../../supabase/tests/helpers.ts';
import { teamChecksums } from './hostile/checksum.ts';
import { expectRefused } from './hostile/refused.ts';
import { enrollCases, filteredWriteCases, restCases, type HostileRequest } from './hostile/rest-cases.ts';

const db = superuser();
let team: TeamFixture;
let other: TeamFixture;
let before: Record<string, string>;
let enrollToken = '';
// Generated up front (vitest collects it.each before beforeAll); host ids are filled in when sent.
const HOST = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const cases = [...restCases(HOST, OTHER), ...enrollCases(`vibe_enroll_${'0'.repeat(28)}`)];
const filtered = filteredWriteCases(HOST);

beforeAll(async () => {
  [team, other] = await Promise.all([createTeam(db), createTeam(db)]);
  await db.query("insert into host_samples (host_id, ts, cpu_total) values ($1, now() - interval '1 minute', 10)", [
    team.hostId,
  ]);
  const made = await clientWith(team.adminToken).rpc('create_enrollment_token', { p_host_id: team.hostId });
  enrollToken = (made.data as { token: string }[])[0]!.token;
  before = await teamChecksums(db, team.teamId);
}, 120_000);
afterAll(() => db.end());

async function send(c: HostileRequest): Promise<{ status: number; body: string }> {
  const bearer =
    c.token === 'agent' ? team.agentToken : c.token === 'viewer' ? team.viewerToken : env.SUPABASE_ANON_KEY;
  const path = c.path.replaceAll(HOST, team.hostId).replaceAll(OTHER, other.hostId);
  const res = await fetch(`${env.SUPABASE_URL}${path}`, {
    method: c.method,
    headers: { apikey: env.SUPABASE_ANON_KEY, authorization: `Bearer ${bearer}`, ...c.headers },
    ...(c.body === undefined ? {} : { body: c.body.replaceAll(HOST, team.hostId).replaceAll(OTHER, other.hostId) }),
  });
  return { status: res.status, body: await res.text() };
}

describe('hostile input to /rest/v1 and enroll-agent', () => {
  it('has at least 150 generated cases', () => {
    expect(cases.length + filtered.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases.map((c) => [c.name, c] as const))('refuses %s', { timeout: 30_000 }, async (name, c) => {
    const { status, body } = await send(c);
    expectRefused(name, status, body);
  });

  it.each(filtered.map((c) => [c.name, c] as const))('affects no row when %s', { timeout: 30_000 }, async (name, c) => {
    const { status, body } = await send(c);
    if (status >= 400) expectRefused(name, status, body);
    else expect(body, `${name}: answered ${status} with rows`).toBe('[]');
  });

  it('changed no row of the team, left the enrollment token unused, and still serves', {
    timeout: 60_000,
  }, async () => {
    expect(await teamChecksums(db, team.teamId)).toEqual(before);
    const token = await db.query('select used_at from enrollment_tokens where host_id = $1', [team.hostId]);
    expect(token.rows.every((r) => r.used_at === null)).toBe(true);
    expect(enrollToken).toMatch(/^vibe_enroll_/);
    const ok = await clientWith(team.agentToken)
      .from('host_samples')
      .insert({ host_id: team.hostId, ts: new Date().toISOString(), cpu_total: 3 });
    expect(ok.error).toBeNull();
  });
});
