/** Memory of a process tree from /proc: proportional set size (PSS), so pages Postgres backends share are counted once. */
import { readdirSync, readFileSync } from 'node:fs';

/** `pid` and every descendant, from the parent pids in /proc/<pid>/stat. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* the process ended meanwhile */
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return out;
}

/** PSS of one process in KiB (0 when it is gone). */
export function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Total PSS of the tree under `pid`, in MiB. */
export function treePssMiB(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + pssKiB(p), 0) / 1024;
}

/** PSS of the tree under `pid` in MiB, grouped by process name (node, postgres, redis-server, deno). */
export function treePssByName(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of processTree(pid)) {
    let name = 'gone';
    try {
      name = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    out[name] = Math.round(((out[name] ?? 0) + pssKiB(p) / 1024) * 10) / 10;
  }
  return out;
}
