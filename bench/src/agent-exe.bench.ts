/**
 * The agent's single executable (issue 14), side by side with Debian's prometheus-node-exporter:
 *
 * - executable size (this machine's architecture, as `npm run build:agent` makes it);
 * - time from the dashboard's one-line install (`curl … /install.sh | sh -s -- --token …`, into a
 *   scratch root with a recording systemctl, then started from the written unit as systemd would)
 *   to the first sample in the database, default settings (5 s sampling, 10 s sending);
 * - resident memory of the running executable every 5 s over BENCH_AGENT_EXE_SECONDS (default 600):
 *   max and final, and node_exporter's in the same window;
 * - CPU per sample (5 s interval) against node_exporter's CPU per scrape (scraped every 5 s).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { buildAgent } from '../../agent/scripts/build.ts';
import type { AgentProcess } from '../../testkit/src/agent-process.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';
import { makeInstallRoot, runInstallLine, startFromUnit } from '../../testkit/src/install-harness.ts';
import { sql } from '../../testkit/src/provision.ts';
import { startWeb } from '../../testkit/src/web-server.ts';
import { report } from './harness.ts';
import { cpuSeconds, rssMb } from './proc.ts';

const WINDOW_S = Number(process.env.BENCH_AGENT_EXE_SECONDS ?? 600);
const STEP_S = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nodeExporterBinary(): string {
  const find = () =>
    ['/usr/bin/prometheus-node-exporter', '/usr/sbin/prometheus-node-exporter'].find((p) => fs.existsSync(p));
  let bin = find();
  if (!bin) {
    process.stdout.write('Installing prometheus-node-exporter with apt-get…\n');
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus-node-exporter'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    bin = find();
    if (!bin)
      throw new Error(
        'Cannot install prometheus-node-exporter: run "apt-get install prometheus-node-exporter" as root',
      );
  }
  return bin;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-bench-agent-exe-'));
const children: ChildProcess[] = [];
let agent: AgentProcess | undefined;
const stack = await freshStack();
try {
  // 1. Build, and its size.
  const dist = path.join(work, 'dist');
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const built = await buildAgent(dist, [arch], 'bench');
  const sizeMb = built.files[arch]!.size / 2 ** 20;

  // 2. One-line install from the dashboard to the first sample in the database.
  const web = await startWeb(
    { SUPABASE_URL: stack.env.SUPABASE_URL, SUPABASE_ANON_KEY: stack.env.SUPABASE_ANON_KEY },
    {
      VIBE_AGENT_DIST: dist,
    },
  );
  const [team] = await sql<{ id: string }>(stack.env, "insert into public.teams (name) values ('bench') returning id");
  const [host] = await sql<{ id: string }>(
    stack.env,
    "insert into public.hosts (team_id, name) values ($1, 'bench-exe') returning id",
    [team!.id],
  );
  const admin = createClient(stack.env.SUPABASE_URL, stack.env.SUPABASE_SERVICE_ROLE_KEY, {
    auth: { persistSession: false },
  });
  const { data, error } = await admin.rpc('create_enrollment_token', { p_host_id: host!.id });
  if (error) throw new Error(error.message);
  const token = (data as { token: string }[])[0]!.token;
  const root = makeInstallRoot(work);
  const t0 = performance.now();
  const installed = await runInstallLine(`curl -fsSL ${web.url}/install.sh | sudo sh -s -- --token ${token}`, root);
  if (installed.code !== 0) throw new Error(`install.sh failed:\n${installed.text}`);
  const installS = (performance.now() - t0) / 1000;
  // systemd would start it now (the script ran systemctl restart); debug logging to count samples.
  agent = startFromUnit(root.unit, { VIBE_AGENT_LOG_LEVEL: 'debug' });
  for (;;) {
    const [r] = await sql<{ n: number }>(stack.env, 'select count(*)::int n from host_samples where host_id = $1', [
      host!.id,
    ]);
    if (r!.n > 0) break;
    if (performance.now() - t0 > 120_000) throw new Error(`No sample within 120 s:\n${agent.output()}`);
    await sleep(100);
  }
  const firstSampleS = (performance.now() - t0) / 1000;
  process.stdout.write(
    `install.sh ran in ${installS.toFixed(1)} s; first sample in the database after ${firstSampleS.toFixed(1)} s\n`,
  );

  // 3. Memory and CPU side by side with node_exporter, both every 5 s.
  const exporterPort = await freePort();
  const exporter = spawn(nodeExporterBinary(), [`--web.listen-address=127.0.0.1:${exporterPort}`], {
    stdio: 'ignore',
  });
  children.push(exporter);
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${exporterPort}/metrics`);
    const text = await res.text();
    if (!res.ok || !text.includes('node_cpu_seconds_total')) throw new Error(`node_exporter answered ${res.status}`);
  };
  for (let i = 0; ; i++) {
    try {
      await scrape();
      break;
    } catch (err) {
      if (i > 50) throw err;
      await sleep(200);
    }
  }
  const pid = agent.child.pid!;
  const a0 = cpuSeconds(pid);
  const e0 = cpuSeconds(exporter.pid!);
  const s0 = agent.sampled.length;
  const agentRss: number[] = [];
  const exporterRss: number[] = [];
  let scrapes = 0;
  const start = Date.now();
  while (Date.now() - start < WINDOW_S * 1000) {
    await scrape();
    scrapes++;
    agentRss.push(rssMb(pid));
    exporterRss.push(rssMb(exporter.pid!));
    await sleep(STEP_S * 1000 - ((Date.now() - start) % (STEP_S * 1000)));
  }
  const samples = agent.sampled.length - s0;
  const agentCpuMs = ((cpuSeconds(pid) - a0) * 1000) / samples;
  const exporterCpuMs = ((cpuSeconds(exporter.pid!) - e0) * 1000) / scrapes;
  const ratio = agentCpuMs / exporterCpuMs;
  const max = Math.max(...agentRss);
  const final = agentRss.at(-1)!;
  process.stdout.write(
    `window ${WINDOW_S} s every ${STEP_S} s: agent ${samples} samples, node_exporter ${scrapes} scrapes\n` +
      `agent RSS MB over time: ${agentRss.map((v) => v.toFixed(1)).join(' ')}\n` +
      `node_exporter RSS max ${Math.max(...exporterRss).toFixed(1)} MB, final ${exporterRss.at(-1)!.toFixed(1)} MB\n`,
  );
  await web.stop();
  report([
    {
      figure: `Agent executable size (linux-${arch})`,
      value: sizeMb,
      unit: 'MiB',
      goal: '',
      met: null,
      issue: 14,
    },
    {
      figure: 'install.sh start to first sample in the database',
      value: firstSampleS,
      unit: 's',
      goal: '≤ 60',
      met: firstSampleS <= 60,
      issue: 14,
    },
    {
      figure: `Agent executable RSS, max over ${WINDOW_S} s`,
      value: max,
      unit: 'MB',
      goal: '≤ 35',
      met: max <= 35,
      issue: 14,
    },
    {
      figure: `Agent executable RSS, final after ${WINDOW_S} s`,
      value: final,
      unit: 'MB',
      goal: '≤ 35',
      met: final <= 35,
      issue: 14,
    },
    {
      figure: `node_exporter RSS, max over ${WINDOW_S} s`,
      value: Math.max(...exporterRss),
      unit: 'MB',
      goal: '',
      met: null,
      issue: 14,
    },
    { figure: 'Agent executable CPU per sample', value: agentCpuMs, unit: 'ms', goal: '', met: null, issue: 14 },
    { figure: 'node_exporter CPU per scrape (5 s)', value: exporterCpuMs, unit: 'ms', goal: '', met: null, issue: 14 },
    {
      figure: 'Agent executable CPU per sample / node_exporter per scrape',
      value: ratio,
      unit: '×',
      goal: '≤ 0.3',
      met: ratio <= 0.3,
      issue: 14,
    },
  ]);
} finally {
  if (agent && agent.child.exitCode === null) agent.child.kill('SIGTERM');
  for (const c of children) c.kill('SIGTERM');
  await stack.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
