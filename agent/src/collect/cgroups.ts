/**
 * Container counters from the cgroup filesystem: which cgroups are containers (Docker, Podman,
 * containerd, CRI-O), and their CPU, memory, block I/O and pids, in cgroup v2 (unified) or v1 layout.
 */
import { isMissing, type HostSource } from './source.ts';

/** A container's counters at one moment. */
export interface ContainerCounters {
  id: string;
  /** Cumulative CPU time, microseconds. */
  cpuUsec: number;
  /** Memory in use without the reclaimable page cache (what `docker stats` shows). */
  memUsedBytes: number;
  /** Null when unlimited. */
  memLimitBytes: number | null;
  blkReadBytes: number;
  blkWriteBytes: number;
  pids: number | null;
  /** A process inside, to read the container's network namespace from /proc/<pid>/net/dev; null when empty. */
  pid: number | null;
}

/** cgroup v1 reports "no limit" as a page-aligned 2^63 - 1; anything this large is unlimited. */
const V1_UNLIMITED = 2 ** 60;

/** The container id in a cgroup directory name, or null: docker-<id>.scope, libpod-<id>.scope, cri-containerd-<id>.scope, crio-<id>.scope, or a bare <id> (cgroupfs driver). */
export function containerIdOf(dirName: string): string | null {
  const m = /^(?:docker-|libpod-|cri-containerd-|crio-)?([0-9a-f]{64})(?:\.scope)?$/.exec(dirName);
  return m ? m[1]! : null;
}

/** "key value" lines (cpu.stat, memory.stat) as a map. */
export function parseFlatKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, Number(v));
  }
  return out;
}

/** cgroup v2 io.stat ("8:0 rbytes=1 wbytes=2 rios=3 …" per device): bytes read and written, summed. */
export function parseIoStat(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const m of text.matchAll(/\brbytes=(\d+)/g)) read += Number(m[1]);
  for (const m of text.matchAll(/\bwbytes=(\d+)/g)) write += Number(m[1]);
  return { read, write };
}

/** cgroup v1 blkio.throttle.io_service_bytes ("8:0 Read 123" … "Total 456"): bytes read and written, summed. */
export function parseBlkioServiceBytes(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    if (f[1] === 'Read') read += Number(f[2]);
    else if (f[1] === 'Write') write += Number(f[2]);
  }
  return { read, write };
}

/** cgroup v2 memory.max: "max" is unlimited. */
export function parseMemoryMax(text: string): number | null {
  const t = text.trim();
  return t === 'max' ? null : Number(t);
}

/** Which layout the host has: v2 when the root of /sys/fs/cgroup is the unified hierarchy, else v1 (hybrid hosts count as v1: the controllers live there). */
export function cgroupVersion(source: HostSource): 1 | 2 {
  try {
    source.readText(`${source.sysRoot}/fs/cgroup/cgroup.controllers`);
    return 2;
  } catch (err) {
    if (isMissing(err)) return 1;
    throw err;
  }
}

/** Container cgroups under `root` (relative paths, e.g. "system.slice/docker-<id>.scope"), searched `maxDepth` levels deep. */
export function findContainerCgroups(source: HostSource, root: string, maxDepth = 6): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (rel: string, depth: number) => {
    let entries: string[];
    try {
      entries = source.listDir(rel ? `${root}/${rel}` : root);
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw err;
    }
    for (const e of entries) {
      // cgroup directories have no dot in their names except the .scope/.slice/.service units; files do.
      if (e.includes('.') && !/\.(scope|slice|service)$/.test(e)) continue;
      const path = rel ? `${rel}/${e}` : e;
      const id = containerIdOf(e);
      if (id) {
        if (!found.has(id)) found.set(id, path);
      } else if (depth < maxDepth) walk(path, depth + 1);
    }
  };
  walk('', 0);
  return found;
}

function readOptional(source: HostSource, file: string): string | null {
  try {
    return source.readText(file);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

function firstPid(text: string | null): number | null {
  const line = text?.split('\n').find((l) => l.trim());
  return line ? Number(line.trim()) : null;
}

/** Counters of one container in cgroup v2, at <sys>/fs/cgroup/<rel>. */
export function readV2(source: HostSource, id: string, rel: string): ContainerCounters {
  const dir = `${source.sysRoot}/fs/cgroup/${rel}`;
  const cpu = parseFlatKeyed(source.readText(`${dir}/cpu.stat`));
  const mem = parseFlatKeyed(readOptional(source, `${dir}/memory.stat`) ?? '');
  const current = Number(readOptional(source, `${dir}/memory.current`) ?? 0);
  const max = readOptional(source, `${dir}/memory.max`);
  const io = parseIoStat(readOptional(source, `${dir}/io.stat`) ?? '');
  const pids = readOptional(source, `${dir}/pids.current`);
  return {
    id,
    cpuUsec: cpu.get('usage_usec') ?? 0,
    memUsedBytes: Math.max(0, current - (mem.get('inactive_file') ?? 0)),
    memLimitBytes: max === null ? null : parseMemoryMax(max),
    blkReadBytes: io.read,
    blkWriteBytes: io.write,
    pids: pids === null ? null : Number(pids.trim()),
    pid: firstPid(readOptional(source, `${dir}/cgroup.procs`)),
  };
}

/** Counters of one container in cgroup v1: the same relative path under each controller's hierarchy. */
export function readV1(source: HostSource, id: string, rel: string): ContainerCounters {
  const base = `${source.sysRoot}/fs/cgroup`;
  const cpuNs = Number(source.readText(`${base}/cpuacct/${rel}/cpuacct.usage`).trim());
  const mem = parseFlatKeyed(readOptional(source, `${base}/memory/${rel}/memory.stat`) ?? '');
  const usage = Number(readOptional(source, `${base}/memory/${rel}/memory.usage_in_bytes`) ?? 0);
  const limit = Number(readOptional(source, `${base}/memory/${rel}/memory.limit_in_bytes`) ?? Number.NaN);
  const io = parseBlkioServiceBytes(readOptional(source, `${base}/blkio/${rel}/blkio.throttle.io_service_bytes`) ?? '');
  const pids = readOptional(source, `${base}/pids/${rel}/pids.current`);
  return {
    id,
    cpuUsec: cpuNs / 1000,
    memUsedBytes: Math.max(0, usage - (mem.get('total_inactive_file') ?? 0)),
    memLimitBytes: Number.isFinite(limit) && limit < V1_UNLIMITED ? limit : null,
    blkReadBytes: io.read,
    blkWriteBytes: io.write,
    pids: pids === null ? null : Number(pids.trim()),
    pid: firstPid(readOptional(source, `${base}/memory/${rel}/cgroup.procs`)),
  };
}

/** Every container's counters, from whichever cgroup layout the host has. */
export function readContainers(source: HostSource): ContainerCounters[] {
  const version = cgroupVersion(source);
  // v1: the memory hierarchy names the containers; cpuacct, blkio and pids mirror its paths.
  const root = version === 2 ? `${source.sysRoot}/fs/cgroup` : `${source.sysRoot}/fs/cgroup/memory`;
  const out: ContainerCounters[] = [];
  for (const [id, rel] of findContainerCgroups(source, root)) {
    try {
      out.push(version === 2 ? readV2(source, id, rel) : readV1(source, id, rel));
    } catch (err) {
      // A container that stopped between listing and reading is simply gone.
      if (!isMissing(err)) throw err;
    }
  }
  return out;
}
