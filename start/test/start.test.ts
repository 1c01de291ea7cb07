/** `npm start` end to end: the stack, the dashboard and an enrolled agent for this machine, quiet about the CLI, and a second start reusing the data. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/src/free-port.ts';

const root = path.resolve(import.meta.dirname, '..', '..');
let dataDir = '';
const running: ChildProcess[] = [];

afterAll(async () => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

function npmStart(env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, 'start/src/cli.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (/^ready$/m.test(out)) resolve(out);
    });
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited early (${code}):\n${out}`)));
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, ready, exited };
}

describe('npm start', () => {
  it('runs the stack, the dashboard and an enrolled agent for this machine, and reuses its data on a second start', async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vibe-start-'));
    await fs.chmod(dataDir, 0o755);
    const env = {
      VIBE_DATA_DIR: dataDir,
      VIBE_GATEWAY_PORT: String(await freePort()),
      VIBE_DB_PORT: String(await freePort()),
      VIBE_WEB_PORT: String(await freePort()),
      VIBE_AGENT_SAMPLE_INTERVAL: '1',
      VIBE_AGENT_SEND_INTERVAL: '1',
      VIBE_AGENT_DB_INTERVAL: '1',
    };
    const first = npmStart(env);
    const out = await first.ready;
    // It speaks in its own words: the Supabase CLI's prompts and connection chatter show only when the CLI fails.
    const migrations = (await fs.readdir(path.join(root, 'supabase', 'migrations'))).filter((f) =>
      f.endsWith('.sql'),
    ).length;
    expect(out).toContain(`Applying ${migrations} migrations…`);
    expect(out).toMatch(/^Migrations applied in \d+\.\d s$/m);
    for (const chatter of [
      'Connecting to',
      'Do you want to push',
      'no files matched pattern',
      'Applying migration ',
      'Finished supabase',
    ])
      expect(out).not.toContain(chatter);
    const dashboard = /^Dashboard: (http:\/\/\S+)$/m.exec(out)?.[1];
    expect(dashboard).toBe(`http://127.0.0.1:${env.VIBE_WEB_PORT}`);
    const demoFile = path.join(dataDir, 'demo.json');
    expect(statSync(demoFile).mode & 0o777).toBe(0o600);
    const demo = JSON.parse(readFileSync(demoFile, 'utf8')) as { email: string; password: string };
    expect(out).toContain(`Demo login: ${demo.email} / ${demo.password}`);

    // The sign-in page is served, and the demo user sees this machine's samples arrive.
    expect((await fetch(`${dashboard}/login`)).status).toBe(200);
    const stackEnv = Object.fromEntries(
      readFileSync(path.join(dataDir, 'stack.env'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    const supabase = createClient(stackEnv.SUPABASE_URL!, stackEnv.SUPABASE_ANON_KEY!, {
      auth: { persistSession: false },
    });
    expect((await supabase.auth.signInWithPassword(demo)).error).toBeNull();
    const host = os.hostname();
    let count = 0;
    for (let i = 0; i < 60 && count < 2; i++) {
      const { data } = await supabase.from('hosts').select('id').eq('name', host);
      if (data?.[0])
        count =
          (await supabase.from('host_samples').select('ts', { count: 'exact', head: true }).eq('host_id', data[0].id))
            .count ?? 0;
      if (count < 2) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(count).toBeGreaterThanOrEqual(2);

    // Every panel has data: the agent also watches the stack's Postgres and checks the dashboard.
    const { data: hostRows } = await supabase.from('hosts').select('id').eq('name', host);
    const hostId = hostRows![0]!.id as string;
    let db: { db_name: string; connections_total: number | null }[] = [];
    let checks: { check_name: string; status_code: number | null; status: string }[] = [];
    for (let i = 0; i < 60 && (db.length === 0 || checks.length === 0); i++) {
      db = ((await supabase.from('db_samples').select('db_name, connections_total').eq('host_id', hostId).limit(1))
        .data ?? []) as typeof db;
      checks = ((
        await supabase.from('app_samples').select('check_name, status_code, status').eq('host_id', hostId).limit(1)
      ).data ?? []) as typeof checks;
      if (db.length === 0 || checks.length === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(db[0]).toMatchObject({ db_name: 'stack' });
    expect(db[0]!.connections_total).toBeGreaterThan(0);
    expect(checks[0]).toMatchObject({ check_name: 'dashboard', status_code: 200, status: 'up' });
    const agentConfig = JSON.parse(readFileSync(path.join(dataDir, 'agent', 'config.json'), 'utf8'));
    expect(statSync(path.join(dataDir, 'agent', 'config.json')).mode & 0o777).toBe(0o600);
    expect(new URL(agentConfig.databases[0].url).username).toBe('vibe_demo_monitor');
    // The demo team starts with the default rules (CPU, memory, mounts, host down, checks, TLS, connections).
    const rules = await supabase.from('alert_rules').select('source, metric');
    expect(rules.error).toBeNull();
    expect(rules.data!.map((r) => `${r.source}:${r.metric}`)).toEqual(
      expect.arrayContaining(['host:cpu_total', 'mount:used_percent', 'check:check_down', 'db:connections_used_pct']),
    );

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    // Second start: same demo login, same host (no second enrollment).
    const second = npmStart(env);
    const secondOut = await second.ready;
    expect(secondOut).not.toContain('Applying');
    expect(JSON.parse(readFileSync(demoFile, 'utf8'))).toEqual(demo);
    const { data: hosts } = await supabase.from('hosts').select('id').eq('name', host);
    expect(hosts).toHaveLength(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 240_000);
});
