import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cgroupVersion,
  containerIdOf,
  findContainerCgroups,
  parseFlatKeyed,
  readContainers,
  readV1,
  readV2,
} from '../../src/collect/cgroups.ts';
import { listEngineContainers, parseContainerList } from '../../src/collect/container-engine.ts';
import {
  type ContainerReading,
  containersCollector,
  containerStats,
  readNamespaceNet,
} from '../../src/collect/containers.ts';
import { osSource } from '../../src/collect/source.ts';
import {
  pageSizeFrom,
  parsePidStat,
  readProcesses,
  topProcesses,
  topProcessesCollector,
} from '../../src/collect/top-processes.ts';
import { hostSampleRow } from '../../src/send/rows.ts';
import { fixtureSource } from '../fixture-source.ts';

const DOCKER = '3f1c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a';
const PODMAN = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';

/** A reading with the network counters, as the collector takes it. */
function readings(name: string): ContainerReading[] {
  const source = fixtureSource(name);
  return readContainers(source).map((c) => {
    const net = readNamespaceNet(source, c.pid);
    return { ...c, netRxBytes: net?.rx ?? null, netTxBytes: net?.tx ?? null };
  });
}

describe('cgroups', () => {
  it('recognises container cgroups of Docker, Podman, containerd and CRI-O, and nothing else', () => {
    expect(containerIdOf(`docker-${DOCKER}.scope`)).toBe(DOCKER);
    expect(containerIdOf(`libpod-${PODMAN}.scope`)).toBe(PODMAN);
    expect(containerIdOf(`cri-containerd-${DOCKER}.scope`)).toBe(DOCKER);
    expect(containerIdOf(`crio-${DOCKER}.scope`)).toBe(DOCKER);
    expect(containerIdOf(DOCKER)).toBe(DOCKER);
    expect(containerIdOf(`libpod-conmon-${PODMAN}.scope`)).toBeNull();
    expect(containerIdOf('ssh.service')).toBeNull();
    expect(containerIdOf(DOCKER.slice(1))).toBeNull();
  });

  it('reads cgroup v2: finds the Docker and rootless Podman scopes and their counters', () => {
    const source = fixtureSource('cgroup-v2/t0');
    expect(cgroupVersion(source)).toBe(2);
    const found = findContainerCgroups(source, `${source.sysRoot}/fs/cgroup`);
    expect([...found.keys()].sort()).toEqual([DOCKER, PODMAN]);
    const docker = readV2(source, DOCKER, found.get(DOCKER)!);
    expect(docker).toEqual({
      id: DOCKER,
      cpuUsec: 5_000_000,
      // memory.current minus inactive_file, as docker stats shows it
      memUsedBytes: 157286400 - 52428800,
      memLimitBytes: 536870912,
      blkReadBytes: 1_500_000,
      blkWriteBytes: 2_000_000,
      pids: 7,
      pid: 4242,
    });
    const podman = readV2(source, PODMAN, found.get(PODMAN)!);
    expect(podman.memLimitBytes).toBeNull();
    expect(podman.memUsedBytes).toBe(20971520 - 4194304);
    expect(podman.blkReadBytes).toBe(0);
  });

  it('reads cgroup v1: the memory hierarchy names the containers, the other controllers mirror it', () => {
    const source = fixtureSource('cgroup-v1/t0');
    expect(cgroupVersion(source)).toBe(1);
    const [c] = readContainers(source);
    expect(c).toEqual({
      id: DOCKER,
      cpuUsec: 73456123.456,
      memUsedBytes: 199544832 - 44212224,
      // 9223372036854771712 is v1's "no limit"
      memLimitBytes: null,
      blkReadBytes: 4096000 + 1000,
      blkWriteBytes: 1024000,
      pids: 12,
      pid: 3131,
    });
    expect(readNamespaceNet(source, c!.pid)).toEqual({ rx: 777, tx: 888 });
  });

  it('turns two readings into rates per container: CPU in % of one core, block I/O and network per second', () => {
    const byId = new Map(readings('cgroup-v2/t0').map((r) => [r.id, r]));
    const stats = containerStats(byId, readings('cgroup-v2/t1'), 2, null);
    expect(stats.map((s) => s.id)).toEqual([DOCKER, PODMAN]);
    expect(stats[0]).toEqual({
      id: DOCKER,
      name: DOCKER.slice(0, 12),
      image: null,
      cpuPct: 125,
      memUsedBytes: 104857600,
      memLimitBytes: 536870912,
      blkReadBytesPerSec: 375000,
      blkWriteBytesPerSec: 0,
      netRxBytesPerSec: 25000,
      netTxBytesPerSec: 12500,
      pids: 7,
    });
    expect(stats[1]!.cpuPct).toBe(5);
    expect(stats[1]!.netRxBytesPerSec).toBe(50000);
  });

  it("reads this machine's /sys/fs/cgroup with the layout it has", () => {
    const source = osSource();
    const self = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
    // The root is the unified hierarchy exactly when the kernel lists only the "0::" line.
    const unifiedOnly = self.every((l) => l.startsWith('0::'));
    expect(cgroupVersion(source)).toBe(unifiedOnly ? 2 : 1);
    // Discovery walks the real tree without failing (containers found here must be real cgroups).
    const found = findContainerCgroups(source, unifiedOnly ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory');
    for (const rel of found.values())
      expect(fs.existsSync(path.join('/sys/fs/cgroup', unifiedOnly ? '' : 'memory', rel))).toBe(true);
    if (unifiedOnly) {
      const rel = self[0]!.slice(3).replace(/^\//, '');
      const c = readV2(source, 'self', rel);
      expect(c.cpuUsec).toBeGreaterThan(0);
      expect(c.pid).toBeGreaterThan(0);
    } else {
      // The root cgroup of each controller, read as a container's would be (rel ""): the whole machine.
      const root = readV1(source, 'root', '');
      const usage = Number(fs.readFileSync('/sys/fs/cgroup/memory/memory.usage_in_bytes', 'utf8'));
      const stat = parseFlatKeyed(fs.readFileSync('/sys/fs/cgroup/memory/memory.stat', 'utf8'));
      expect(root.cpuUsec).toBeGreaterThan(0);
      expect(root.memUsedBytes).toBeGreaterThan(0);
      expect(root.memUsedBytes).toBeLessThanOrEqual(usage + 64 * 1024 * 1024);
      expect(stat.has('total_inactive_file')).toBe(true);
      // The root has no limit: v1 reports it as 2^63 rounded down to a page.
      expect(root.memLimitBytes).toBeNull();
      // A hybrid host also mounts the unified hierarchy: its cpu.stat has the v2 format.
      if (fs.existsSync('/sys/fs/cgroup/unified/cpu.stat'))
        expect(
          parseFlatKeyed(fs.readFileSync('/sys/fs/cgroup/unified/cpu.stat', 'utf8')).get('usage_usec'),
        ).toBeGreaterThan(0);
    }
  });
});

describe('container engine socket', () => {
  let dir: string;
  let socket: string;
  let server: http.Server;
  const requests: { method?: string; url?: string; host?: string }[] = [];
  // GET /containers/json as the Docker Engine API documents it (v1.43 example, ids made full length).
  const body = JSON.stringify([
    {
      Id: DOCKER,
      Names: ['/boring_feynman'],
      Image: 'ubuntu:latest',
      ImageID: 'd74508fb6632491cea586a1fd7d748dfc5274cd6fdfedee309ecdcbc2bf5cb82',
      Command: 'echo 1',
      Created: 1367854155,
      State: 'running',
      Status: 'Up 2 hours',
      Ports: [{ PrivatePort: 2222, PublicPort: 3333, Type: 'tcp' }],
      Labels: { 'com.example.vendor': 'Acme' },
      SizeRw: 12288,
      SizeRootFs: 0,
      HostConfig: { NetworkMode: 'default' },
      NetworkSettings: {
        Networks: {
          bridge: {
            NetworkID: '7ea29fc1412292a2d7bba362f9253545fecdfa8ce9a6e37dd10ba8bee7129812',
            IPAddress: '172.17.0.2',
          },
        },
      },
      Mounts: [],
    },
    {
      Id: PODMAN,
      Names: ['/metrics'],
      Image: 'docker.io/prom/node-exporter:v1.8.2',
      ImageID: 'a1b2',
      State: 'running',
      HostConfig: { NetworkMode: 'host' },
    },
  ]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vibe-engine-'));
    socket = path.join(dir, 'docker.sock');
    server = http.createServer((req, res) => {
      requests.push({ method: req.method, url: req.url, host: req.headers.host });
      if (req.method === 'GET' && req.url === '/containers/json') {
        res.writeHead(200, {
          'content-type': 'application/json',
          'api-version': '1.43',
          server: 'Docker/24.0.7 (linux)',
        });
        res.end(body);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `page not found` }));
      }
    });
    await new Promise<void>((r) => server.listen(socket, r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists running containers: names without the slash, images, host networking', async () => {
    const list = await listEngineContainers([path.join(dir, 'missing.sock'), socket]);
    expect(list).toEqual([
      { id: DOCKER, name: 'boring_feynman', image: 'ubuntu:latest', hostNetwork: false },
      { id: PODMAN, name: 'metrics', image: 'docker.io/prom/node-exporter:v1.8.2', hostNetwork: true },
    ]);
    expect(requests.at(-1)).toEqual({ method: 'GET', url: '/containers/json', host: 'localhost' });
    expect(await listEngineContainers([path.join(dir, 'missing.sock')])).toBeNull();
    expect(() => parseContainerList('{"message":"client version too new"}')).toThrow(/expected a JSON array/);
  });

  it('the collector names containers from the socket, and leaves a host-network container without its own traffic', async () => {
    const c = containersCollector([socket]);
    const t0 = fixtureSource('cgroup-v2/t0');
    const t1 = fixtureSource('cgroup-v2/t1');
    expect(await c.collect(t0, 0)).toEqual({});
    const { containers } = (await c.collect(t1, 2000)) as {
      containers: { name: string; image: string | null; netRxBytesPerSec: number | null }[];
    };
    expect(containers.map((x) => [x.name, x.image, x.netRxBytesPerSec])).toEqual([
      ['boring_feynman', 'ubuntu:latest', 25000],
      ['metrics', 'docker.io/prom/node-exporter:v1.8.2', null],
    ]);
  });
});

describe('top processes', () => {
  it('parses /proc/<pid>/stat with parentheses and spaces in the name', () => {
    const s = parsePidStat(fs.readFileSync(path.join(fixtureSource('processes/t0').procRoot, '812', 'stat'), 'utf8'));
    expect(s).toEqual({ pid: 812, name: 'postgres: wal (x)', cpuTicks: 600, startTicks: 3000, rssPages: 50000 });
    expect(() => parsePidStat('12 cat R 1')).toThrow(/missing the \(comm\) field/);
  });

  it('derives the page size from statm and status', () => {
    expect(pageSizeFrom('5000 512 300', 'VmRSS:\t    2048 kB\n')).toBe(4096);
    expect(pageSizeFrom('5000 32 300', 'VmRSS:\t    2048 kB\n')).toBe(65536);
    expect(pageSizeFrom('5000 0 0', '')).toBe(4096);
  });

  it('picks the top N by CPU, then the top N by memory, a reused pid starting from zero', () => {
    const a = readProcesses(fixtureSource('processes/t0'), 0);
    const b = readProcesses(fixtureSource('processes/t1'), 1000);
    expect(topProcesses(a, b, 2, 4096)).toEqual([
      { pid: 950, name: 'node', cpu: 200, rss: 21000 * 4096 },
      { pid: 812, name: 'postgres: wal (x)', cpu: 30, rss: 50000 * 4096 },
      { pid: 1, name: 'systemd', cpu: 0, rss: 3000 * 4096 },
      { pid: 977, name: 'worker', cpu: 0, rss: 100 * 4096 },
    ]);
  });

  it('the collector names users from /etc/passwd of the same root, the numeric uid otherwise, and the row carries them', async () => {
    const c = topProcessesCollector(1);
    expect(await c.collect(fixtureSource('processes/t0'), 0)).toEqual({});
    const part = (await c.collect(fixtureSource('processes/t1'), 1000)) as { topProcesses: unknown[] };
    expect(part.topProcesses).toEqual([
      { pid: 950, name: 'node', cpu: 200, rss: 21000 * 4096, user: 'app' },
      { pid: 812, name: 'postgres: wal (x)', cpu: 30, rss: 50000 * 4096, user: '999' },
    ]);
    const row = hostSampleRow('h', { ts: new Date(0).toISOString(), errors: {}, ...(part as object) });
    expect((row.row.detail as { top_processes: unknown[] }).top_processes).toHaveLength(2);
  });

  it("reads this machine's processes: this test's own process is among them with its RSS", () => {
    const source = osSource();
    const a = readProcesses(source, performance.now());
    const me = a.procs.get(process.pid)!;
    expect(me.name.length).toBeGreaterThan(0);
    expect(me.rssPages * 4096).toBeGreaterThan(10 * 1024 * 1024);
  });
});
