/** Load averages from /proc/loadavg. */
import type { LoadStats } from '../sample.ts';
import type { Collector } from './collector.ts';

/** Parses /proc/loadavg ("0.52 0.58 0.59 2/1234 5678"). */
export function parseLoadavg(text: string): LoadStats {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((v) => Number.isFinite(v)))
    throw new Error(`Cannot parse /proc/loadavg: expected three numbers, got "${text.trim()}"`);
  return { load1: a!, load5: b!, load15: c! };
}

/** Collector for `load`. */
export function loadCollector(): Collector {
  return { name: 'load', collect: (source) => ({ load: parseLoadavg(source.readText(`${source.procRoot}/loadavg`)) }) };
}
