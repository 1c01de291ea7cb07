import { createClient } from '@supabase/supabase-js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { scratch } from '../scratch.ts';
import { sampleTimes, sql } from '../../../testkit/src/provision.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';

const env = inject('stack');
// The shipped single executable (built once by the global setup, build id "test").
const { tmp, spawn } = scratch('vibe-agent-enroll', { executable: inject('agentExecutable') });

/** A host and a one-time token, made the way the dashboard makes them (create_enrollment_token). */
async function hostWithToken(): Promise<{ hostId: string; token: string }> {
  const [team] = await sql<{ id: string }>(env, 'insert into public.teams (name) values ($1) returning id', [
    'agent-test enroll',
  ]);
  const [host] = await sql<{ id: string }>(
    env,
    'insert into public.hosts (team_id, name) values ($1, $2) returning id',
    [team!.id, `enroll-${Date.now()}`],
  );
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth: { persistSession: false } });
  const { data, error } = await admin.rpc('create_enrollment_token', { p_host_id: host!.id });
  if (error) throw new Error(`Cannot create an enrollment token: ${error.message}`);
  return { hostId: host!.id, token: (data as { token: string }[])[0]!.token };
}

describe('enrollment end to end', () => {
  it('enrolls with a one-time token, writes a 0600 config, runs with it, and refuses the token a second time', async () => {
    const { hostId, token } = await hostWithToken();
    const dir = await tmp();
    const config = path.join(dir, 'etc', 'config.json');
    const vars = {
      VIBE_AGENT_CONFIG: config,
      VIBE_AGENT_DATA_DIR: path.join(dir, 'data'),
      VIBE_AGENT_SAMPLE_INTERVAL: '1',
      VIBE_AGENT_SEND_INTERVAL: '1',
    };
    const enrolled = spawn(
      [
        'enroll',
        '--url',
        env.SUPABASE_URL,
        '--key',
        env.SUPABASE_PUBLISHABLE_KEY,
        '--token',
        token,
        '--name',
        'web-01',
        '--dashboard',
        'http://127.0.0.1:1/',
      ],
      vars,
    );
    expect(await enrolled.exited).toBe(0);
    expect(enrolled.output()).toContain(`Enrolled host web-01 (${hostId})`);
    expect((await fs.stat(config)).mode & 0o777).toBe(0o600);
    const written = JSON.parse(await fs.readFile(config, 'utf8'));
    expect(written).toMatchObject({
      url: env.SUPABASE_URL,
      key: env.SUPABASE_PUBLISHABLE_KEY,
      hostId,
      hostName: 'web-01',
      dashboardUrl: 'http://127.0.0.1:1',
    });
    expect(written.autoUpdate).toBeUndefined(); // the daily update check is opt-in
    expect(written.email).toMatch(/@/);
    expect(written.password.length).toBeGreaterThan(20);

    const agent = spawn(['run'], vars);
    await waitFor(async () => (await sampleTimes(env, hostId)).length >= 2, {
      message: 'samples from the enrolled agent',
      timeoutMs: 30_000,
    });
    // The agent tells the dashboard which version it is (report_agent_version, its own host only).
    await waitFor(
      async () =>
        (await sql<{ v: string | null }>(env, 'select agent_version v from hosts where id = $1', [hostId]))[0]!.v ===
        '0.1.0+test',
      { message: () => `hosts.agent_version set by the agent:\n${agent.output()}`, timeoutMs: 15_000 },
    );
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    // The session is kept beside the queue, private to the agent.
    expect((await fs.stat(path.join(dir, 'data', 'session.json'))).mode & 0o777).toBe(0o600);

    const again = spawn(
      ['enroll', '--url', env.SUPABASE_URL, '--key', env.SUPABASE_PUBLISHABLE_KEY, '--token', token],
      {
        VIBE_AGENT_CONFIG: path.join(dir, 'other.json'),
      },
    );
    expect(await again.exited).toBe(1);
    expect(again.output()).toMatch(
      /^vibe-agent: Enrollment failed \(HTTP 401\): This enrollment token was already used/,
    );
    await expect(fs.stat(path.join(dir, 'other.json'))).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('prints its version and build id', async () => {
    const p = spawn(['--version'], {});
    expect(await p.exited).toBe(0);
    expect(p.output()).toBe(`vibe-agent 0.1.0 (build test) linux-${process.arch}\n`);
  });

  it('refuses a bad dashboard URL before spending the token', async () => {
    const { hostId, token } = await hostWithToken();
    const dir = await tmp();
    const p = spawn(
      ['enroll', '--url', env.SUPABASE_URL, '--key', env.SUPABASE_ANON_KEY, '--token', token, '--dashboard', 'ftp://x'],
      { VIBE_AGENT_CONFIG: path.join(dir, 'c.json') },
    );
    expect(await p.exited).toBe(1);
    expect(p.output()).toBe(
      'vibe-agent: Invalid dashboard URL "ftp://x": expected http(s)://host[:port] without credentials\n',
    );
    const [t] = await sql<{ used_at: string | null }>(env, 'select used_at from enrollment_tokens where host_id = $1', [
      hostId,
    ]);
    expect(t!.used_at).toBeNull();
  });

  it('says which setting is missing', async () => {
    const p = spawn(['enroll', '--url', env.SUPABASE_URL, '--key', env.SUPABASE_ANON_KEY], { VIBE_AGENT_TOKEN: '' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toBe('vibe-agent: Missing --token: the one-time enrollment token from the dashboard\n');
  });
});
