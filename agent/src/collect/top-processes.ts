/** The busiest processes: top N by CPU and top N by resident memory, from /proc/<pid>/stat and /proc/<pid>/status. */
import type { TopProcess } from '../sample.ts';
import type { Collector } from './collector.ts';
import { round } from './counters.ts';
import { isMissing, type HostSource } from './source.ts';

/** USER_HZ: the kernel reports process times in 1/100 s on every Linux architecture. */
const TICKS_PER_SECOND = 100;

/** What /proc/<pid>/stat says about one process. */
export interface ProcStat {
  pid: number;
  name: string;
  /** utime + stime, in ticks. */
  cpuTicks: number;
  /** Start time after boot, in ticks: tells a reused pid apart. */
  startTicks: number;
  rssPages: number;
}

/** Parses /proc/<pid>/stat; the name sits in parentheses and may itself contain spaces and parentheses. */
export function parsePidStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('Cannot parse /proc/<pid>/stat: missing the (comm) field');
  // Fields after the name, starting with field 3 (state) at index 0.
  const f = text
    .slice(close + 2)
    .trim()
    .split(' ');
  if (f.length < 22) throw new Error(`Cannot parse /proc/<pid>/stat: ${f.length + 2} fields, expected at least 24`);
  return {
    pid: Number(text.slice(0, open).trim()),
    name: text.slice(open + 1, close),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTicks: Number(f[19]),
    rssPages: Number(f[21]),
  };
}

/** The real user id from /proc/<pid>/status, or null. */
export function parseStatusUid(text: string): number | null {
  const m = /^Uid:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** uid → user name from an /etc/passwd text. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!)) users.set(Number(f[2]), f[0]);
  }
  return users;
}

/** The page size in bytes from one process's resident size in both pages (statm) and kB (status); 4096 when unknown. */
export function pageSizeFrom(statmText: string, statusText: string): number {
  const pages = Number(statmText.trim().split(/\s+/)[1]);
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  if (!kb || !(pages > 0)) return 4096;
  const guess = (Number(kb[1]) * 1024) / pages;
  // Nearest power of two: both figures are read a moment apart.
  return 2 ** Math.round(Math.log2(guess));
}

/** The page size from this process's own statm and status; 4096 where they are not there (a copied /proc tree). */
function readPageSize(source: HostSource): number {
  try {
    return pageSizeFrom(
      source.readText(`${source.procRoot}/self/statm`),
      source.readText(`${source.procRoot}/self/status`),
    );
  } catch (err) {
    if (isMissing(err)) return 4096;
    throw err;
  }
}

/** One reading: per pid the stat and the monotonic time it was taken at. */
export interface ProcessReading {
  atMs: number;
  procs: Map<number, ProcStat>;
}

/** A process's CPU share between two readings, % of one core; null when it was not there before. */
function cpuPct(prev: ProcStat | undefined, cur: ProcStat, seconds: number): number | null {
  if (!prev || prev.startTicks !== cur.startTicks || !(seconds > 0)) return null;
  return round((Math.max(0, cur.cpuTicks - prev.cpuTicks) / TICKS_PER_SECOND / seconds) * 100);
}

/** The top `n` by CPU then the top `n` by RSS (no process twice), with CPU over the interval between readings. */
export function topProcesses(
  previous: ProcessReading,
  current: ProcessReading,
  n: number,
  pageSize: number,
): Omit<TopProcess, 'user'>[] {
  const seconds = (current.atMs - previous.atMs) / 1000;
  const all = [...current.procs.values()].map((p) => ({
    pid: p.pid,
    name: p.name,
    cpu: cpuPct(previous.procs.get(p.pid), p, seconds) ?? 0,
    rss: p.rssPages * pageSize,
  }));
  const byCpu = [...all].sort((a, b) => b.cpu - a.cpu || b.rss - a.rss).slice(0, n);
  const picked = new Set(byCpu.map((p) => p.pid));
  const byRss = [...all]
    .sort((a, b) => b.rss - a.rss)
    .filter((p) => !picked.has(p.pid))
    .slice(0, n);
  return [...byCpu, ...byRss];
}

/** Reads /proc/<pid>/stat of every process; processes that exit while being read are skipped. */
export function readProcesses(source: HostSource, atMs: number): ProcessReading {
  const procs = new Map<number, ProcStat>();
  for (const e of source.listDir(source.procRoot)) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const s = parsePidStat(source.readText(`${source.procRoot}/${e}/stat`));
      procs.set(s.pid, s);
    } catch (err) {
      if (!isMissing(err) && (err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return { atMs, procs };
}

/** Collector for `topProcesses`: the first call only primes the CPU counters. */
export function topProcessesCollector(n: number): Collector {
  let previous: ProcessReading | null = null;
  let pageSize: number | null = null;
  return {
    name: 'topProcesses',
    collect(source, nowMs) {
      const current = readProcesses(source, nowMs);
      const prev = previous;
      previous = current;
      if (!prev) return {};
      const proc = source.procRoot;
      pageSize ??= readPageSize(source);
      // /etc/passwd of the same root as /proc (/host/etc/passwd for /host/proc), read each time: users change.
      let users = new Map<number, string>();
      try {
        users = parsePasswd(source.readText(`${proc.replace(/\/proc$/, '')}/etc/passwd`));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      const top = topProcesses(prev, current, n, pageSize).map((p) => {
        let uid: number | null = null;
        try {
          uid = parseStatusUid(source.readText(`${proc}/${p.pid}/status`));
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
        return { ...p, user: uid === null ? null : (users.get(uid) ?? String(uid)) };
      });
      return { topProcesses: top };
    },
  };
}
