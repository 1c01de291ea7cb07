/** TCP connections by state from /proc/net/tcp and /proc/net/tcp6. */
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

/** Totals from both files' text (tcp6 may be absent when IPv6 is disabled). */
export function tcpStats(texts: string[]): TcpStats {
  const byState: Record<string, number> = {};
  for (const t of texts) countTcpStates(t, byState);
  let total = 0;
  for (const v of Object.values(byState)) total += v;
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

/** Collector for `tcp`. */
export function tcpCollector(): Collector {
  return {
    name: 'tcp',
    collect: (source) => ({
      tcp: tcpStats([source.readText(`${source.procRoot}/net/tcp`), readOptional(source, `${source.procRoot}/net/tcp6`)]),
    }),
  };
}
