/** Process counts: numeric entries of /proc, and running/blocked from /proc/stat. */
import type { ProcessStats } from '../sample.ts';
import type { Collector } from './collector.ts';

/** Counts the process directories among /proc's entries. */
export function countProcesses(entries: string[]): number {
  let n = 0;
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Reads procs_running and procs_blocked from /proc/stat. */
export function parseProcsStat(text: string): { running: number; blocked: number } {
  const running = /^procs_running\s+(\d+)/m.exec(text);
  const blocked = /^procs_blocked\s+(\d+)/m.exec(text);
  return { running: Number(running?.[1] ?? 0), blocked: Number(blocked?.[1] ?? 0) };
}

/** Process counts from the directory listing and /proc/stat. */
export function processStats(entries: string[], statText: string): ProcessStats {
  return { total: countProcesses(entries), ...parseProcsStat(statText) };
}

/** Collector for `processes`. */
export function processesCollector(): Collector {
  return {
    name: 'processes',
    collect: (source) => ({
      processes: processStats(source.listDir(source.procRoot), source.readText(`${source.procRoot}/stat`)),
    }),
  };
}
