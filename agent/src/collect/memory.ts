/** Memory and swap from /proc/meminfo; "used" is MemTotal minus MemAvailable, as free(1) and Beszel report it. */
import type { MemoryStats } from '../sample.ts';
import type { Collector } from './collector.ts';
import { pct } from './counters.ts';

/** Parses /proc/meminfo into bytes per key. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+(kB))?/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (m[3] ? 1024 : 1));
  }
  return out;
}

/** Memory figures from parsed meminfo. Kernels before 3.14 lack MemAvailable; it is estimated as free + buffers + cached there. */
export function memoryStats(info: Map<string, number>): MemoryStats {
  const total = info.get('MemTotal');
  if (total === undefined) throw new Error('Cannot parse /proc/meminfo: missing MemTotal');
  const free = info.get('MemFree') ?? 0;
  const buffers = info.get('Buffers') ?? 0;
  const cached = (info.get('Cached') ?? 0) + (info.get('SReclaimable') ?? 0);
  const available = Math.min(total, info.get('MemAvailable') ?? free + buffers + cached);
  const swapTotal = info.get('SwapTotal') ?? 0;
  const swapUsed = Math.max(0, swapTotal - (info.get('SwapFree') ?? swapTotal));
  return {
    totalBytes: total,
    usedBytes: total - available,
    availableBytes: available,
    usedPct: pct(total - available, total),
    buffersBytes: buffers,
    cachedBytes: cached,
    swapTotalBytes: swapTotal,
    swapUsedBytes: swapUsed,
    swapUsedPct: swapTotal > 0 ? pct(swapUsed, swapTotal) : null,
  };
}

/** Collector for `memory`. */
export function memoryCollector(): Collector {
  return {
    name: 'memory',
    collect: (source) => ({ memory: memoryStats(parseMeminfo(source.readText(`${source.procRoot}/meminfo`))) }),
  };
}
