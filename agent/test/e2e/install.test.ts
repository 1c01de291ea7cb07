/**
 * The one-line install and the update, end to end (issue 14): the real web app serves install.sh and
 * the executable the global setup built; the script installs into a scratch root (INSTALL_ROOT) with
 * a stand-in systemctl; the agent is then started from the unit file, enrolls and its samples land.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { scratch } from '../scratch.ts';
import { sampleTimes, sql } from '../../../testkit/src/provision.ts';
import { waitFor } from '../../../testkit/src/wait-for.ts';
import { startWeb, type RunningWeb } from '../../../testkit/src/web-server.ts';
import {
  makeInstallRoot,
  readUnit,
  runInstallLine,
  startFromUnit,
  systemctlCalls,
} from '../../../testkit/src/install-harness.ts';
import { spawnAgent, type AgentProcess } from '../../../testkit/src/agent-process.ts';

const env = inject('stack');
const executable = inject('agentExecutable');
const { tmp } = scratch('vibe-agent-install', { executable });
let web: RunningWeb;
const agents: AgentProcess[] = [];

beforeAll(async () => {
  web = await startWeb(env);
});
afterAll(async () => {
  for (const a of agents) if (a.child.exitCode === null) a.child.kill('SIGKILL');
  await web?.stop();
});

async function hostWithToken(): Promise<{ hostId: string; token: string }> {
  const [team] = await sql<{ id: string }>(env, 'insert into public.teams (name) values ($1) returning id', [
    'agent-test install',
  ]);
  const [host] = await sql<{ id: string }>(
    env,
    'insert into public.hosts (team_id, name) values ($1, $2) returning id',
    [team!.id, `install-${Date.now()}`],
  );
  const admin = createClient(env.SUPABASE_URL, env.SUPABASE_SERVICE_ROLE_KEY, { auth: { persistSession: false } });
  const { data, error } = await admin.rpc('create_enrollment_token', { p_host_id: host!.id });
  if (error) throw new Error(`Cannot create an enrollment token: ${error.message}`);
  return { hostId: host!.id, token: (data as { token: string }[])[0]!.token };
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A stand-in dashboard: /agent/version says `build()`, files come from `files` (name -> bytes). */
async function fakeDashboard(
  build: () => string,
  files: Record<string, Buffer>,
  claimedSha?: string,
): Promise<{ url: string; close: () => void }> {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const name = `vibe-agent-linux-${arch}`;
  const server = http.createServer((req, res) => {
    if (req.url === '/agent/version') {
      const bytes = files[name]!;
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          version: '0.1.0',
          build: build(),
          files: {
            [arch]: {
              file: name,
              size: bytes.length,
              sha256: claimedSha ?? createHash('sha256').update(bytes).digest('hex'),
            },
          },
        }),
      );
      return;
    }
    const f = files[decodeURIComponent(req.url!.replace('/agent/', ''))];
    if (!f) return void res.writeHead(404).end();
    res.end(f);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

describe('one-line install from the dashboard', () => {
  it('installs, enrolls, writes and starts the unit, delivers samples, is safe to run twice, and uninstalls', async () => {
    const { hostId, token } = await hostWithToken();
    const r = makeInstallRoot(await tmp());
    // The line the Hosts page shows (enroll-command.svelte), with this dashboard's origin.
    const line = `curl -fsSL ${web.url}/install.sh | sudo sh -s -- --token ${token} --name box-1`;
    const first = await runInstallLine(line, r);
    expect(first.code, first.text).toBe(0);
    expect(first.text).toContain(`installed ${r.bin} (vibe-agent 0.1.0 (build test)`);
    expect(sha256(r.bin)).toBe(sha256(executable));
    expect(fs.statSync(r.bin).mode & 0o777).toBe(0o755);
    expect(fs.statSync(r.config).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(r.config, 'utf8'))).toMatchObject({
      url: env.SUPABASE_URL,
      key: env.SUPABASE_ANON_KEY,
      hostId,
      hostName: 'box-1',
      dashboardUrl: web.url,
    });
    const unit = readUnit(r.unit);
    expect(unit.exec).toEqual([r.bin, 'run']);
    expect(unit.env).toEqual({ VIBE_AGENT_CONFIG: r.config, VIBE_AGENT_DATA_DIR: r.dataDir });
    const scope = process.getuid?.() === 0 ? '' : '--user ';
    expect(systemctlCalls(r)).toEqual([
      `${scope}daemon-reload`,
      `${scope}enable vibe-agent.service`,
      `${scope}restart vibe-agent.service`,
    ]);

    // What systemd would start: the samples land, and the agent reports its version.
    const agent = startFromUnit(r.unit, { VIBE_AGENT_SAMPLE_INTERVAL: '1', VIBE_AGENT_SEND_INTERVAL: '1' });
    agents.push(agent);
    await waitFor(async () => (await sampleTimes(env, hostId)).length >= 1, {
      message: () => `a sample from the installed agent:\n${agent.output()}`,
      timeoutMs: 30_000,
    });
    await waitFor(
      async () =>
        (await sql<{ v: string | null }>(env, 'select agent_version v from hosts where id = $1', [hostId]))[0]!.v ===
        '0.1.0+test',
      { message: 'the installed agent reports its version', timeoutMs: 15_000 },
    );
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);

    // The same line again: the token is spent, so no second enrollment; the executable and unit are refreshed.
    const config = fs.readFileSync(r.config, 'utf8');
    const second = await runInstallLine(line, r);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toContain('already enrolled');
    expect(fs.readFileSync(r.config, 'utf8')).toBe(config);
    expect(systemctlCalls(r).filter((c) => c.endsWith('restart vibe-agent.service'))).toHaveLength(2);

    const gone = await runInstallLine(`curl -fsSL ${web.url}/install.sh | sudo sh -s -- --uninstall`, r);
    expect(gone.code, gone.text).toBe(0);
    for (const f of [r.bin, r.config, r.unit, r.dataDir]) expect(fs.existsSync(f), f).toBe(false);
    expect(systemctlCalls(r)).toContain(`${scope}disable --now vibe-agent.service`);
  }, 120_000);

  it('installs nothing when the checksum does not match, and needs a token to enroll', async () => {
    const r = makeInstallRoot(await tmp());
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    const name = `vibe-agent-linux-${arch}`;
    const bad = await fakeDashboard(() => 'x', {
      [name]: Buffer.from('#!/bin/sh\necho tampered\n'),
      [`${name}.sha256`]: Buffer.from(`${'0'.repeat(64)}  ${name}\n`),
    });
    try {
      const res = await runInstallLine(`curl -fsSL ${web.url}/install.sh | sh -s -- --token t`, r, {
        VIBE_DASHBOARD_URL: bad.url,
      });
      expect(res.code).toBe(1);
      expect(res.text).toMatch(
        /checksum mismatch for vibe-agent-linux-\w+: expected 0{64}, got [0-9a-f]{64}; nothing was installed/,
      );
      expect(fs.existsSync(r.bin)).toBe(false);
      expect(fs.readdirSync(path.dirname(r.bin))).toEqual([]); // no download left behind
    } finally {
      bad.close();
    }
    const noToken = await runInstallLine(`curl -fsSL ${web.url}/install.sh | sh -s --`, r);
    expect(noToken.code).toBe(1);
    expect(noToken.text).toContain('missing --token: the one-time enrollment token from the dashboard');
    expect(fs.existsSync(r.config)).toBe(false);
  }, 60_000);

  it('serves the agent version, the executable and its checksum, and refuses other names', async () => {
    // Hashed first: 100 MB of hashing between two requests would outlast the server's 5 s keep-alive.
    const expected = sha256(executable);
    const version = (await (await fetch(`${web.url}/agent/version`)).json()) as { version: string; build: string };
    expect(version).toMatchObject({ version: '0.1.0', build: 'test' });
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    const sum = await (await fetch(`${web.url}/agent/vibe-agent-linux-${arch}.sha256`)).text();
    expect(sum).toBe(`${expected}  vibe-agent-linux-${arch}\n`);
    const res = await fetch(`${web.url}/agent/..%2Fversion.json`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('vibe-agent update', () => {
  it('replaces its executable with the dashboard build after checking the checksum, and refuses a bad one', async () => {
    const dir = await tmp();
    const copy = path.join(dir, 'vibe-agent');
    fs.copyFileSync(executable, copy);
    fs.chmodSync(copy, 0o755);
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    const name = `vibe-agent-linux-${arch}`;
    const bytes = fs.readFileSync(executable);
    // A download that is not what /agent/version promises: one byte more than the checksummed file.
    const tampered = await fakeDashboard(
      () => 'next',
      { [name]: Buffer.concat([bytes, Buffer.from('x')]) },
      sha256(executable),
    );
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ dashboardUrl: tampered.url }));
    const refused = spawnCopy(copy, ['update'], config);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/Checksum mismatch for vibe-agent-linux-\w+: .*nothing was replaced/);
    tampered.close();

    // The "new" agent: the same bytes under another build id, so only the answer tells them apart.
    const good = await fakeDashboard(() => 'next', { [name]: bytes });
    try {
      fs.writeFileSync(config, JSON.stringify({ dashboardUrl: good.url }));
      const check = spawnCopy(copy, ['update', '--check'], config);
      expect(await check.exited).toBe(0);
      expect(check.output()).toBe('Update available: 0.1.0+test -> 0.1.0+next\n');
      const inodeBefore = fs.statSync(copy).ino;
      const updated = spawnCopy(copy, ['update'], config);
      expect(await updated.exited, updated.output()).toBe(0);
      expect(updated.output()).toContain(`Updated ${copy}: 0.1.0+test -> 0.1.0+next`);
      expect(fs.statSync(copy).ino).not.toBe(inodeBefore); // renamed into place, not rewritten
      expect(sha256(copy)).toBe(sha256(executable));
      expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'vibe-agent']); // no temporary file left
    } finally {
      good.close();
    }
  }, 120_000);
});

/** Runs the copy of the executable (never the shared one: update replaces what it runs). */
function spawnCopy(copy: string, args: string[], config: string): AgentProcess {
  const p = spawnAgent(
    args,
    { VIBE_AGENT_CONFIG: config, VIBE_AGENT_SERVICE: 'vibe-agent-test-none.service' },
    { executable: copy },
  );
  agents.push(p);
  return p;
}
