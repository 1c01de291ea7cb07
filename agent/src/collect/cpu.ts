/** CPU busy percentages, total and per core, from /proc/stat. */
import type { CpuStats } from '../sample.ts';
import type { Collector } from './collector.ts';
import { pct } from './counters.ts';

/** Jiffy counters of one `cpu` line of /proc/stat. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** The aggregate line and one entry per core, indexed by core number (offline cores are holes). */
export interface CpuCounters {
  total: CpuTimes;
  cores: (CpuTimes | undefined)[];
}

function times(fields: string[]): CpuTimes {
  const n = (i: number) => Number(fields[i] ?? 0) || 0;
  return { user: n(1), nice: n(2), system: n(3), idle: n(4), iowait: n(5), irq: n(6), softirq: n(7), steal: n(8) };
}

/** Parses the `cpu` lines of /proc/stat. */
export function parseProcStat(text: string): CpuCounters {
  let total: CpuTimes | undefined;
  const cores: (CpuTimes | undefined)[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const fields = line.trim().split(/\s+/);
    const name = fields[0]!;
    if (name === 'cpu') total = times(fields);
    else {
      const index = Number(name.slice(3));
      if (Number.isInteger(index)) cores[index] = times(fields);
    }
  }
  if (!total) throw new Error('Cannot parse /proc/stat: missing the aggregate "cpu" line');
  return { total, cores };
}

// Guest time is already part of user/nice, so it is not added again.
function sum(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

// Jiffies never go backwards except iowait on some kernels; a negative step counts as zero.
function diff(a: CpuTimes, b: CpuTimes): CpuTimes {
  const d = (k: keyof CpuTimes) => Math.max(0, b[k] - a[k]);
  return {
    user: d('user'),
    nice: d('nice'),
    system: d('system'),
    idle: d('idle'),
    iowait: d('iowait'),
    irq: d('irq'),
    softirq: d('softirq'),
    steal: d('steal'),
  };
}

function busyPct(d: CpuTimes): number {
  const all = sum(d);
  return pct(all - d.idle - d.iowait, all);
}

/** CPU percentages between two readings; with no previous reading, the averages since boot. */
export function cpuStats(previous: CpuCounters | null, current: CpuCounters): CpuStats {
  const zero: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
  const d = diff(previous?.total ?? zero, current.total);
  const all = sum(d);
  const perCorePct: number[] = [];
  current.cores.forEach((core, i) => {
    if (core) perCorePct.push(busyPct(diff(previous?.cores[i] ?? zero, core)));
  });
  return {
    totalPct: busyPct(d),
    userPct: pct(d.user + d.nice, all),
    systemPct: pct(d.system + d.irq + d.softirq, all),
    iowaitPct: pct(d.iowait, all),
    stealPct: pct(d.steal, all),
    perCorePct,
  };
}

/** Collector for `cpu`. */
export function cpuCollector(): Collector {
  let previous: CpuCounters | null = null;
  return {
    name: 'cpu',
    collect(source) {
      const current = parseProcStat(source.readText(`${source.procRoot}/stat`));
      const cpu = cpuStats(previous, current);
      previous = current;
      return { cpu };
    },
  };
}
