/** Disk I/O rates per whole block device from /proc/diskstats. */
import type { DeviceIo, DiskIoStats } from '../sample.ts';
import type { Collector } from './collector.ts';
import type { HostSource } from './source.ts';
import { counterDelta, counterRate, round } from './counters.ts';

/** Counters of one device; sectors are always 512 bytes in /proc/diskstats. */
export interface DeviceCounters {
  reads: number;
  sectorsRead: number;
  writes: number;
  sectorsWritten: number;
  ioMs: number;
}

/** Parses /proc/diskstats into counters per device name. */
export function parseDiskstats(text: string): Map<string, DeviceCounters> {
  const out = new Map<string, DeviceCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const n = (i: number) => Number(f[i]);
    out.set(f[2]!, { reads: n(3), sectorsRead: n(5), writes: n(7), sectorsWritten: n(9), ioMs: n(12) });
  }
  return out;
}

// Used when /sys/block is not readable: partition names, as in node_exporter's default ignore list.
const PARTITION = /^((h|s|v|xv)d[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+)$/;

/** Whether a device is a real whole disk: listed in /sys/block (so not a partition) and not a loop or RAM device. */
export function isWholeDisk(name: string, sysBlock: Set<string> | null): boolean {
  if (/^(loop|ram|zram|fd|sr)\d+$/.test(name)) return false;
  return sysBlock ? sysBlock.has(name) : !PARTITION.test(name);
}

/** Rates between two readings for whole disks present in both. */
export function diskIoStats(
  previous: Map<string, DeviceCounters>,
  current: Map<string, DeviceCounters>,
  seconds: number,
  sysBlock: Set<string> | null,
): DiskIoStats {
  const devices: DeviceIo[] = [];
  let read = 0;
  let write = 0;
  for (const [device, c] of current) {
    const p = previous.get(device);
    if (!p || !isWholeDisk(device, sysBlock)) continue;
    const d: DeviceIo = {
      device,
      readBytesPerSec: round(counterRate(p.sectorsRead, c.sectorsRead, seconds) * 512),
      writeBytesPerSec: round(counterRate(p.sectorsWritten, c.sectorsWritten, seconds) * 512),
      readsPerSec: round(counterRate(p.reads, c.reads, seconds)),
      writesPerSec: round(counterRate(p.writes, c.writes, seconds)),
      utilPct: seconds > 0 ? round(Math.min(100, counterDelta(p.ioMs, c.ioMs) / (seconds * 10))) : 0,
    };
    devices.push(d);
    read += d.readBytesPerSec;
    write += d.writeBytesPerSec;
  }
  return { devices, readBytesPerSec: round(read), writeBytesPerSec: round(write) };
}

function sysBlockNames(source: HostSource): Set<string> | null {
  try {
    return new Set(source.listDir(`${source.sysRoot}/block`));
  } catch {
    return null;
  }
}

/** Collector for `diskIo`; the first call only primes the counters. */
export function diskIoCollector(): Collector {
  let previous: { at: number; counters: Map<string, DeviceCounters> } | null = null;
  return {
    name: 'diskIo',
    collect(source, nowMs) {
      const counters = parseDiskstats(source.readText(`${source.procRoot}/diskstats`));
      const prev = previous;
      previous = { at: nowMs, counters };
      if (!prev) return {};
      return { diskIo: diskIoStats(prev.counters, counters, (nowMs - prev.at) / 1000, sysBlockNames(source)) };
    },
  };
}
