/**
 * TCP connections by state. Totals come every sample from the kernel's counters (/proc/net/sockstat,
 * sockstat6, snmp), which cost microseconds. The full per-state breakdown needs /proc/net/tcp and
 * tcp6, whose read walks the kernel's whole connection hash table (milliseconds of system time
 * even with few sockets on a large-memory host — why node_exporter leaves its tcpstat collector off
 * by default), so that table is read at most once per `statesEveryMs` and reused in between.
 */
import type { TcpStats } from '../sample.ts';
import type { Collector } from './collector.ts';
import { isMissing, type HostSource } from './source.ts';

/** Kernel state numbers (include/net/tcp_states.h) to the names ss(8) prints. */
export const TCP_STATES: Record<string, string> = {
  '01': 'established',
  '02': 'syn_sent',
  '03': 'syn_recv',
  '04': 'fin_wait1',
  '05': 'fin_wait2',
  '06': 'time_wait',
  '07': 'close',
  '08': 'close_wait',
  '09': 'last_ack',
  '0A': 'listen',
  '0B': 'closing',
  '0C': 'new_syn_recv',
};

/** Adds the sockets of one /proc/net/tcp{,6} file to `counts` (the 4th column is the state in hex). */
export function countTcpStates(text: string, counts: Record<string, number>): void {
  let start = text.indexOf('\n') + 1; // skip the header
  while (start > 0 && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const f = text.slice(start, end).trim().split(/\s+/, 4);
    const state = f[3] ? TCP_STATES[f[3].toUpperCase()] : undefined;
    if (state) counts[state] = (counts[state] ?? 0) + 1;
    start = end + 1;
  }
}

/** Totals from both tables' text (tcp6 may be absent when IPv6 is disabled). */
export function tcpStats(texts: string[]): TcpStats {
  const byState: Record<string, number> = {};
  for (const t of texts) countTcpStates(t, byState);
  let total = 0;
  for (const v of Object.values(byState)) total += v;
  return { total, byState };
}

/** The kernel's TCP counters: sockets in use (IPv4 + IPv6, TIME_WAIT excluded), TIME_WAIT, and established (CurrEstab). */
export interface TcpCounters {
  inuse: number;
  timeWait: number;
  established: number;
}

/** Parses /proc/net/sockstat, sockstat6 (may be empty) and snmp. */
export function parseTcpCounters(sockstat: string, sockstat6: string, snmp: string): TcpCounters {
  const v4 = /^TCP: inuse (\d+)(?: orphan \d+)? tw (\d+)/m.exec(sockstat);
  if (!v4) throw new Error('Cannot parse /proc/net/sockstat: missing the "TCP: inuse … tw …" line');
  const v6 = /^TCP6: inuse (\d+)/m.exec(sockstat6);
  const lines = snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const i = names.indexOf('CurrEstab');
  if (i < 0) throw new Error('Cannot parse /proc/net/snmp: missing Tcp CurrEstab');
  return { inuse: Number(v4[1]) + Number(v6?.[1] ?? 0), timeWait: Number(v4[2]), established: Number(values[i]) };
}

/**
 * Combines fresh counters with a (possibly older) per-state table: established, time_wait and the
 * total are always current; the other states come from the table, scaled to nothing more than
 * what the current total leaves.
 */
export function combineTcp(c: TcpCounters, table: Record<string, number> | null): TcpStats {
  const total = c.inuse + c.timeWait;
  const byState: Record<string, number> = { established: c.established, time_wait: c.timeWait };
  let left = Math.max(0, total - c.established - c.timeWait);
  if (table) {
    for (const [state, n] of Object.entries(table)) {
      if (state === 'established' || state === 'time_wait' || left === 0) continue;
      const take = Math.min(n, left);
      if (take > 0) byState[state] = take;
      left -= take;
    }
  }
  if (left > 0) byState.other = left;
  return { total, byState };
}

function readOptional(source: HostSource, file: string): string {
  try {
    return source.readText(file);
  } catch (err) {
    if (isMissing(err)) return '';
    throw err;
  }
}

/** Collector for `tcp`; the per-state table is re-read at most every `statesEveryMs`. */
export function tcpCollector(statesEveryMs = 60_000): Collector {
  let table: Record<string, number> | null = null;
  let tableAt = -Infinity;
  return {
    name: 'tcp',
    collect(source, nowMs) {
      const p = source.procRoot;
      if (nowMs - tableAt >= statesEveryMs) {
        table = tcpStats([source.readText(`${p}/net/tcp`), readOptional(source, `${p}/net/tcp6`)]).byState;
        tableAt = nowMs;
      }
      const counters = parseTcpCounters(
        source.readText(`${p}/net/sockstat`),
        readOptional(source, `${p}/net/sockstat6`),
        source.readText(`${p}/net/snmp`),
      );
      return { tcp: combineTcp(counters, table) };
    },
  };
}
