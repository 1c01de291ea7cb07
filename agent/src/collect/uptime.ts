/** Seconds since boot from /proc/uptime. */
import type { Collector } from './collector.ts';

/** Parses /proc/uptime ("350735.47 234388.90"). */
export function parseUptime(text: string): number {
  const v = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(v)) throw new Error(`Cannot parse /proc/uptime: expected a number, got "${text.trim()}"`);
  return Math.floor(v);
}

/** Collector for `uptime`. */
export function uptimeCollector(): Collector {
  return {
    name: 'uptime',
    collect: (source) => ({ uptimeSeconds: parseUptime(source.readText(`${source.procRoot}/uptime`)) }),
  };
}
