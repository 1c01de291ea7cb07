/** Per-container CPU, memory, block I/O and network: counters from cgroups and /proc/<pid>/net/dev, names from the engine's socket. */
import type { ContainerStats } from '../sample.ts';
import { type ContainerCounters, readContainers } from './cgroups.ts';
import type { Collector } from './collector.ts';
import { type EngineContainer, listEngineContainers } from './container-engine.ts';
import { counterRate, round } from './counters.ts';
import { parseNetDev } from './network.ts';
import { isMissing, type HostSource } from './source.ts';

/** At most this many containers per sample (busiest first), so a sample stays well under the 64 kB detail cap. */
export const MAX_CONTAINERS = 100;

/** One container's counters plus its network counters, at one moment. */
export interface ContainerReading extends ContainerCounters {
  netRxBytes: number | null;
  netTxBytes: number | null;
}

/** Bytes received and sent by the network namespace of `pid`, loopback left out; null when unreadable. */
export function readNamespaceNet(source: HostSource, pid: number | null): { rx: number; tx: number } | null {
  if (pid === null) return null;
  try {
    let rx = 0;
    let tx = 0;
    for (const [name, c] of parseNetDev(source.readText(`${source.procRoot}/${pid}/net/dev`))) {
      if (name === 'lo') continue;
      rx += c.rxBytes;
      tx += c.txBytes;
    }
    return { rx, tx };
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

/** Rates between two readings of the same containers; a container new since the previous reading waits for the next. */
export function containerStats(
  previous: Map<string, ContainerReading>,
  current: ContainerReading[],
  seconds: number,
  engine: Map<string, EngineContainer> | null,
): ContainerStats[] {
  const out: ContainerStats[] = [];
  for (const c of current) {
    const p = previous.get(c.id);
    if (!p || !(seconds > 0)) continue;
    const e = engine?.get(c.id);
    const net = e?.hostNetwork || c.netRxBytes === null || p.netRxBytes === null ? null : c;
    out.push({
      id: c.id,
      name: e?.name ?? c.id.slice(0, 12),
      image: e?.image ?? null,
      cpuPct: round((Math.max(0, c.cpuUsec - p.cpuUsec) / 1e6 / seconds) * 100),
      memUsedBytes: c.memUsedBytes,
      memLimitBytes: c.memLimitBytes,
      blkReadBytesPerSec: round(counterRate(p.blkReadBytes, c.blkReadBytes, seconds)),
      blkWriteBytesPerSec: round(counterRate(p.blkWriteBytes, c.blkWriteBytes, seconds)),
      netRxBytesPerSec: net ? round(counterRate(p.netRxBytes!, c.netRxBytes!, seconds)) : null,
      netTxBytesPerSec: net ? round(counterRate(p.netTxBytes!, c.netTxBytes!, seconds)) : null,
      pids: c.pids,
    });
  }
  return out.sort((a, b) => b.cpuPct - a.cpuPct || b.memUsedBytes - a.memUsedBytes).slice(0, MAX_CONTAINERS);
}

/** Collector for `containers`: cgroup counters every sample; the engine is asked again only when an unknown container appears or a minute has passed. */
export function containersCollector(sockets: readonly string[]): Collector {
  let previous: { at: number; byId: Map<string, ContainerReading> } | null = null;
  let engine: { at: number; byId: Map<string, EngineContainer> | null } | null = null;
  return {
    name: 'containers',
    async collect(source, nowMs) {
      const readings: ContainerReading[] = readContainers(source).map((c) => {
        const net = readNamespaceNet(source, c.pid);
        return { ...c, netRxBytes: net?.rx ?? null, netTxBytes: net?.tx ?? null };
      });
      const known = engine?.byId;
      const stale = !engine || nowMs - engine.at > 60_000 || (known && readings.some((r) => !known.has(r.id)));
      if (readings.length && stale) {
        const list = await listEngineContainers(sockets);
        engine = { at: nowMs, byId: list ? new Map(list.map((c) => [c.id, c])) : null };
      }
      const prev = previous;
      previous = { at: nowMs, byId: new Map(readings.map((r) => [r.id, r])) };
      if (!prev) return {};
      return { containers: containerStats(prev.byId, readings, (nowMs - prev.at) / 1000, engine?.byId ?? null) };
    },
  };
}
