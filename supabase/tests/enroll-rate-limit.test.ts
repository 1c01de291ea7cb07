/**
 * Enrollment is rate-limited per client address, inside the function (so it holds hosted too): failed
 * attempts count, successful enrollments do not, and the 31st failure within the window is answered 429
 * over_request_rate_limit with Retry-After. The address is the connection's, never a client-supplied
 * X-Forwarded-For. Each test connects from its own loopback address (127.x.y.z), so the shared
 * 127.0.0.1 budget of the other test files is left alone.
 */
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { clientWith, createTeam, env, superuser } from './helpers.ts';

const db = superuser();
afterAll(() => db.end());
/** The default limit (VIBE_ENROLL_RATE_LIMIT) the test stack runs with. */
const LIMIT = 30;

/** A loopback address of this test's own, e.g. 127.83.12.201. */
function loopback(): string {
  const b = () => 1 + Math.floor(Math.random() * 250);
  return `127.${b()}.${b()}.${b()}`;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

/** POSTs {token} to enroll-agent from `localAddress`, with extra headers (a spoofed X-Forwarded-For). */
function enrollFrom(localAddress: string, token: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(`${env.SUPABASE_URL}/functions/v1/enroll-agent`);
  const body = JSON.stringify({ token });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        agent: false,
        headers: {
          apikey: env.SUPABASE_ANON_KEY,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const unknownToken = (i: number) => `vibe_enroll_${String(i).padStart(8, '0')}${'f'.repeat(56)}`;

async function tokenFor(adminToken: string, hostId: string): Promise<string> {
  const made = await clientWith(adminToken).rpc('create_enrollment_token', { p_host_id: hostId });
  if (made.error) throw new Error(made.error.message);
  return (made.data as { token: string }[])[0]!.token;
}

describe('enrollment rate limit', () => {
  it('answers the attempt after the limit with 429 and Retry-After, whatever X-Forwarded-For says, and spares other addresses', {
    timeout: 120_000,
  }, async () => {
    const team = await createTeam(db);
    const attacker = loopback();
    for (let i = 0; i < LIMIT; i++) {
      const res = await enrollFrom(attacker, unknownToken(i), {
        'x-forwarded-for': `10.9.${i}.1`,
        'x-real-ip': `10.8.${i}.1`,
      });
      expect(res.status, `attempt ${i + 1}`).toBe(401);
      expect(res.body.error).toBe('token_invalid');
    }
    const limited = await enrollFrom(attacker, unknownToken(LIMIT), { 'x-forwarded-for': '203.0.113.77' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: 'over_request_rate_limit',
      message: expect.stringMatching(/Too many enrollment attempts from this address.*retry in \d+ s/),
    });
    const wait = Number(limited.retryAfter);
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(300);

    // A valid token from the limited address is refused too, and is not used up by the refusal.
    const token = await tokenFor(team.adminToken, team.hostId);
    expect((await enrollFrom(attacker, token)).status).toBe(429);
    const unused = await db.query(
      'select used_at from enrollment_tokens where host_id = $1 order by created_at desc limit 1',
      [team.hostId],
    );
    expect(unused.rows[0].used_at).toBeNull();
    // Another address enrolls with it at once.
    const other = await enrollFrom(loopback(), token);
    expect(other.status).toBe(200);
    expect(other.body.host_id).toBe(team.hostId);
  });

  it('does not count successful enrollments, so a fleet behind one address can enroll', {
    timeout: 180_000,
  }, async () => {
    const team = await createTeam(db);
    const office = loopback();
    for (let i = 0; i < LIMIT - 1; i++) expect((await enrollFrom(office, unknownToken(1000 + i))).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const made = await clientWith(team.adminToken).rpc('create_host', {
        p_team_id: team.teamId,
        p_name: `fleet-${i}`,
      });
      const { token } = (made.data as { token: string }[])[0]!;
      const res = await enrollFrom(office, token);
      expect(res.status, `host ${i}`).toBe(200);
    }
    // 29 failures and 3 successes: one failure is still allowed, the next is not.
    expect((await enrollFrom(office, unknownToken(2000))).status).toBe(401);
    expect((await enrollFrom(office, unknownToken(2001))).status).toBe(429);
  });

  it('leaves bodies that never reach a token lookup out of the count', { timeout: 60_000 }, async () => {
    const addr = loopback();
    for (let i = 0; i < LIMIT + 5; i++) expect((await enrollFrom(addr, 'short')).status).toBe(400);
    expect((await enrollFrom(addr, unknownToken(3000))).status).toBe(401);
  });
});
