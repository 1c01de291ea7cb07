/**
 * Host agent cost (issue 5): CPU time per collected sample and resident memory, side by side with
 * Debian's prometheus-node-exporter scraped at the same interval on the same machine.
 *
 * 1. In-process: process.cpuUsage() around N back-to-back collections (collectors only).
 * 2. Running processes over the same window: `vibe-agent run` (sampling every second, sending to a
 *    throw-away stack) and node_exporter (scraped every second); CPU from /proc/<pid>/stat, memory
 *    from VmRSS in /proc/<pid>/status.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sampler } from '../../agent/src/collect/sampler.ts';
import { osSource } from '../../agent/src/collect/source.ts';
import { provisionHost } from '../../testkit/src/provision.ts';
import { freePort } from '../../testkit/src/free-port.ts';
import { report } from './harness.ts';
import { agentEnv } from '../../testkit/src/agent-env.ts';
import { freshStack } from '../../testkit/src/fresh-stack.ts';
import { cpuSeconds, privateMb, rssMb } from './proc.ts';

const WINDOW_S = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const IN_PROCESS_SAMPLES = Number(process.env.BENCH_AGENT_SAMPLES ?? 500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS of an idle Node process of the same binary: the floor any Node agent starts from. */
async function bareNodeRssMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  await sleep(1500);
  const mb = rssMb(child.pid!);
  child.kill('SIGKILL');
  return mb;
}

function nodeExporterBinary(): string {
  const find = () =>
    ['/usr/bin/prometheus-node-exporter', '/usr/sbin/prometheus-node-exporter'].find((p) => fs.existsSync(p));
  let bin = find();
  if (!bin) {
    process.stdout.write('Installing prometheus-node-exporter with apt-get…\n');
    const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus-node-exporter'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    bin = find();
    if (r.status !== 0 || !bin)
      throw new Error(
        'Cannot install prometheus-node-exporter: run "apt-get install prometheus-node-exporter" as root',
      );
  }
  return bin;
}

// 1. Collection cost in this process.
const sampler = new Sampler(osSource());
await sampler.prime();
for (let i = 0; i < 20; i++) await sampler.sample();
const usage0 = process.cpuUsage();
for (let i = 0; i < IN_PROCESS_SAMPLES; i++) await sampler.sample();
const usage = process.cpuUsage(usage0);
const inProcessMs = (usage.user + usage.system) / 1000 / IN_PROCESS_SAMPLES;

// 2. Both running side by side.
const stack = await freshStack();
const children: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-bench-agent-'));
try {
  const host = await provisionHost(stack.env, 'bench');
  const exporterPort = await freePort();
  const exporter = spawn(nodeExporterBinary(), [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: 'ignore' });
  children.push(exporter);
  let sampled = 0;
  const agent = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../agent/src/cli.ts'), 'run'], {
    env: {
      ...process.env,
      ...agentEnv({ ...stack.env, SUPABASE_ANON_KEY: stack.env.SUPABASE_PUBLISHABLE_KEY }, host, {
        dataDir,
        extra: {
          VIBE_AGENT_SAMPLE_INTERVAL: '1',
          VIBE_AGENT_LOG_LEVEL: 'debug',
        },
      }),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(agent);
  agent.stderr!.on('data', (b: Buffer) => {
    sampled += b.toString().split(' sampled ts=').length - 1;
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${exporterPort}/metrics`);
    const text = await res.text();
    if (!res.ok || !text.includes('node_cpu_seconds_total')) throw new Error(`node_exporter answered ${res.status}`);
  };
  for (let i = 0; i < 50; i++) {
    try {
      await scrape();
      break;
    } catch {
      await sleep(200);
    }
  }
  // Warm-up: both past start-up (JIT, first send, session) before measuring.
  for (let i = 0; i < 12; i++) {
    await scrape();
    await sleep(1000);
  }
  const a0 = cpuSeconds(agent.pid!);
  const e0 = cpuSeconds(exporter.pid!);
  const s0 = sampled;
  const agentRss: number[] = [];
  const agentPrivate: number[] = [];
  const exporterRss: number[] = [];
  let scrapes = 0;
  const start = Date.now();
  while (Date.now() - start < WINDOW_S * 1000) {
    await scrape();
    scrapes++;
    agentRss.push(rssMb(agent.pid!));
    agentPrivate.push(privateMb(agent.pid!));
    exporterRss.push(rssMb(exporter.pid!));
    await sleep(1000 - ((Date.now() - start) % 1000));
  }
  const agentCpuMs = ((cpuSeconds(agent.pid!) - a0) * 1000) / (sampled - s0);
  const exporterCpuMs = ((cpuSeconds(exporter.pid!) - e0) * 1000) / scrapes;
  const agentRssMax = Math.max(...agentRss);
  const bareRss = await bareNodeRssMb();
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  process.stdout.write(
    `window ${WINDOW_S} s: agent ${sampled - s0} samples, node_exporter ${scrapes} scrapes; RSS mean agent ${mean(agentRss).toFixed(1)} MB, node_exporter ${mean(exporterRss).toFixed(1)} MB\n`,
  );
  report([
    {
      figure: 'Agent collection CPU per sample (in-process, collectors only)',
      value: inProcessMs,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 5,
    },
    {
      figure: 'node_exporter CPU per scrape (1 s interval)',
      value: exporterCpuMs,
      unit: 'ms',
      goal: '',
      met: null,
      issue: 5,
    },
    {
      figure: 'Running agent CPU per sample (collect, queue, send; 1 s interval)',
      value: agentCpuMs,
      unit: 'ms',
      goal: `≤ node_exporter per scrape (${exporterCpuMs.toFixed(2)} ms)`,
      met: agentCpuMs <= exporterCpuMs,
      issue: 5,
    },
    {
      figure: 'Agent / node_exporter CPU per sample',
      value: agentCpuMs / exporterCpuMs,
      unit: 'ratio',
      goal: '≤ 1',
      met: agentCpuMs <= exporterCpuMs,
      issue: 5,
    },
    {
      figure: 'Running agent resident memory (max)',
      value: agentRssMax,
      unit: 'MB',
      goal: '≤ 60',
      met: agentRssMax <= 60,
      issue: 5,
    },
    {
      figure: 'Running agent private memory (max; RSS minus shared executable pages)',
      value: Math.max(...agentPrivate),
      unit: 'MB',
      goal: '',
      met: null,
      issue: 5,
    },
    {
      figure: 'Idle Node 24 process resident memory (floor for any Node agent)',
      value: bareRss,
      unit: 'MB',
      goal: '',
      met: null,
      issue: 5,
    },
    {
      figure: 'node_exporter resident memory (max)',
      value: Math.max(...exporterRss),
      unit: 'MB',
      goal: '',
      met: null,
      issue: 5,
    },
  ]);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
