/** Network rates per interface and in total from /proc/net/dev. */
import type { InterfaceRates, NetworkStats } from '../sample.ts';
import type { Collector } from './collector.ts';
import { counterRate, round } from './counters.ts';

/** Counters of one interface. */
export interface InterfaceCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
}

/** Parses /proc/net/dev into counters per interface name. */
export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const lines = text.split('\n');
  if (!lines[1]?.includes('|')) throw new Error('Cannot parse /proc/net/dev: missing the two header lines');
  const out = new Map<string, InterfaceCounters>();
  for (const line of lines.slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16) continue;
    out.set(line.slice(0, colon).trim(), {
      rxBytes: f[0]!,
      rxPackets: f[1]!,
      rxErrors: f[2]!,
      txBytes: f[8]!,
      txPackets: f[9]!,
      txErrors: f[10]!,
    });
  }
  return out;
}

/** Loopback and the host ends of container veth pairs would double-count traffic in the total. */
export function countsTowardTotal(name: string): boolean {
  return name !== 'lo' && !name.startsWith('veth');
}

/** Rates between two readings; interfaces that appeared since the previous reading are left out until the next. */
export function networkStats(
  previous: Map<string, InterfaceCounters>,
  current: Map<string, InterfaceCounters>,
  seconds: number,
): NetworkStats {
  const interfaces: InterfaceRates[] = [];
  let rx = 0;
  let tx = 0;
  for (const [name, c] of current) {
    if (name === 'lo') continue;
    const p = previous.get(name);
    if (!p) continue;
    const r: InterfaceRates = {
      name,
      rxBytesPerSec: round(counterRate(p.rxBytes, c.rxBytes, seconds)),
      txBytesPerSec: round(counterRate(p.txBytes, c.txBytes, seconds)),
      rxPacketsPerSec: round(counterRate(p.rxPackets, c.rxPackets, seconds)),
      txPacketsPerSec: round(counterRate(p.txPackets, c.txPackets, seconds)),
      rxErrorsPerSec: round(counterRate(p.rxErrors, c.rxErrors, seconds)),
      txErrorsPerSec: round(counterRate(p.txErrors, c.txErrors, seconds)),
    };
    interfaces.push(r);
    if (countsTowardTotal(name)) {
      rx += r.rxBytesPerSec;
      tx += r.txBytesPerSec;
    }
  }
  return { interfaces, rxBytesPerSec: round(rx), txBytesPerSec: round(tx) };
}

/** Collector for `network`; the first call only primes the counters. */
export function networkCollector(): Collector {
  let previous: { at: number; counters: Map<string, InterfaceCounters> } | null = null;
  return {
    name: 'network',
    collect(source, nowMs) {
      const counters = parseNetDev(source.readText(`${source.procRoot}/net/dev`));
      const prev = previous;
      previous = { at: nowMs, counters };
      return prev ? { network: networkStats(prev.counters, counters, (nowMs - prev.at) / 1000) } : {};
    },
  };
}
