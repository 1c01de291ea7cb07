import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { counterDelta } from '../../src/collect/counters.ts';
import { cpuStats, parseProcStat } from '../../src/collect/cpu.ts';
import { diskIoStats, isWholeDisk, parseDiskstats } from '../../src/collect/disk-io.ts';
import { mountUsage, parseMounts, realMounts } from '../../src/collect/disk-usage.ts';
import { parseLoadavg } from '../../src/collect/load.ts';
import { memoryStats, parseMeminfo } from '../../src/collect/memory.ts';
import { networkStats, parseNetDev } from '../../src/collect/network.ts';
import { processStats } from '../../src/collect/processes.ts';
import { combineTcp, parseTcpCounters, tcpStats } from '../../src/collect/tcp.ts';
import { parseUptime } from '../../src/collect/uptime.ts';
import { fixture } from '../fixture-source.ts';

const read = (name: string) => fs.readFileSync(fixture(name), 'utf8');

describe('counterDelta', () => {
  it('handles increase, 32-bit wrap and reset', () => {
    expect(counterDelta(100, 350)).toBe(250);
    expect(counterDelta(2 ** 32 - 100, 50)).toBe(150);
    expect(counterDelta(1e12, 500)).toBe(500);
    // A drop from a small 32-bit value to a smaller one is an implausible wrap: a reset.
    expect(counterDelta(1000, 10)).toBe(10);
  });
});

describe('cpu', () => {
  it('computes total, user, system, iowait, steal and per-core percentages over an interval', () => {
    const a = parseProcStat(read('server/t0/proc/stat'));
    const b = parseProcStat(read('server/t1/proc/stat'));
    const cpu = cpuStats(a, b);
    // Cores: 60%, 30% busy (+10% iowait), idle, 15% busy (+5% iowait, 5% steal): 2000 ticks overall.
    expect(cpu.perCorePct).toEqual([60, 30, 0, 15]);
    expect(cpu.totalPct).toBe(26.25);
    expect(cpu.userPct).toBe(18.75);
    expect(cpu.systemPct).toBe(6.25);
    expect(cpu.iowaitPct).toBe(3.75);
    expect(cpu.stealPct).toBe(1.25);
  });

  it('reports averages since boot without a previous reading', () => {
    const cpu = cpuStats(null, parseProcStat(read('server/t0/proc/stat')));
    // busy = user+nice+system+softirq+steal = 10000+100+5000+200+50 of 96350 per core
    expect(cpu.totalPct).toBeCloseTo((15350 / 96350) * 100, 1);
    expect(cpu.perCorePct).toHaveLength(4);
  });

  it('parses 64 cores', () => {
    const c = parseProcStat(read('cpu64/stat'));
    expect(c.cores.filter(Boolean)).toHaveLength(64);
    const stats = cpuStats(null, c);
    expect(stats.perCorePct).toHaveLength(64);
    expect(stats.perCorePct[63]).toBeGreaterThan(stats.perCorePct[0]!);
  });

  it('skips offline cores', () => {
    const c = parseProcStat(read('cpu-offline/stat'));
    expect(c.cores[2]).toBeUndefined();
    expect(cpuStats(null, c).perCorePct).toHaveLength(3);
  });

  it('never reports negative time when a counter steps back', () => {
    const a = parseProcStat(read('server/t1/proc/stat'));
    const b = parseProcStat(read('server/t0/proc/stat'));
    const cpu = cpuStats(a, b);
    expect(cpu.totalPct).toBe(0);
  });

  it('rejects text without the aggregate line', () => {
    expect(() => parseProcStat('intr 1\n')).toThrow(/missing the aggregate "cpu" line/);
  });
});

describe('load, uptime, processes', () => {
  it('parses loadavg', () => {
    expect(parseLoadavg(read('server/t0/proc/loadavg'))).toEqual({ load1: 0.52, load5: 0.58, load15: 0.61 });
    expect(() => parseLoadavg('garbage')).toThrow(/Cannot parse \/proc\/loadavg/);
  });
  it('parses uptime', () => {
    expect(parseUptime(read('server/t0/proc/uptime'))).toBe(1234567);
  });
  it('counts process directories and running/blocked', () => {
    const entries = ['1', '2', '731', 'self', 'net', 'stat', 'thread-self', '45677'];
    expect(processStats(entries, read('server/t0/proc/stat'))).toEqual({ total: 4, running: 3, blocked: 1 });
  });
});

describe('memory', () => {
  it('uses MemAvailable for used memory and reports swap', () => {
    const m = memoryStats(parseMeminfo(read('server/t0/proc/meminfo')));
    expect(m.totalBytes).toBe(16318412 * 1024);
    expect(m.availableBytes).toBe(9786540 * 1024);
    expect(m.usedBytes).toBe((16318412 - 9786540) * 1024);
    expect(m.usedPct).toBe(40.03);
    expect(m.cachedBytes).toBe((7611860 + 518804) * 1024);
    expect(m.swapUsedBytes).toBe((2097148 - 1572860) * 1024);
    expect(m.swapUsedPct).toBe(25);
  });

  it('reports no swap as zero bytes and a null percentage', () => {
    const m = memoryStats(parseMeminfo(read('container/proc/meminfo')));
    expect(m.swapTotalBytes).toBe(0);
    expect(m.swapUsedBytes).toBe(0);
    expect(m.swapUsedPct).toBeNull();
    expect(m.usedPct).toBe(50);
  });

  it('estimates available memory on kernels without MemAvailable', () => {
    const m = memoryStats(parseMeminfo(read('old-kernel/meminfo')));
    expect(m.availableBytes).toBe(400000 * 1024);
    expect(m.usedPct).toBe(60);
  });
});

describe('network', () => {
  it('computes per-interface rates, handles 32-bit wrap and reset, and leaves lo and veth out of the total', () => {
    const n = networkStats(parseNetDev(read('server/t0/proc/net/dev')), parseNetDev(read('server/t1/proc/net/dev')), 5);
    const byName = Object.fromEntries(n.interfaces.map((i) => [i.name, i]));
    expect(Object.keys(byName).sort()).toEqual(['eth0', 'veth12ab', 'wlan0']); // no lo, docker0 is new
    expect(byName.eth0!.rxBytesPerSec).toBe(259.2); // wrapped: (2^32 - 4294967000 + 1000) / 5
    expect(byName.eth0!.txBytesPerSec).toBe(102400);
    expect(byName.eth0!.txErrorsPerSec).toBe(1);
    expect(byName.wlan0!.rxBytesPerSec).toBe(100); // reset from 1e12 to 500
    expect(byName.veth12ab!.rxBytesPerSec).toBe(100000);
    expect(n.rxBytesPerSec).toBe(359.2);
    expect(n.txBytesPerSec).toBe(102500);
  });

  it('rejects a file without headers', () => {
    expect(() => parseNetDev('eth0: 1 2 3')).toThrow(/missing the two header lines/);
  });
});

describe('disk I/O', () => {
  it('computes rates for whole disks only, with wrap', () => {
    const sys = new Set(['nvme0n1', 'sda', 'loop0']);
    const io = diskIoStats(
      parseDiskstats(read('server/t0/proc/diskstats')),
      parseDiskstats(read('server/t1/proc/diskstats')),
      5,
      sys,
    );
    expect(io.devices.map((d) => d.device)).toEqual(['nvme0n1', 'sda']);
    const nvme = io.devices[0]!;
    expect(nvme.readBytesPerSec).toBe((10240 * 512) / 5);
    expect(nvme.writeBytesPerSec).toBe((20480 * 512) / 5);
    expect(nvme.readsPerSec).toBe(100);
    expect(nvme.utilPct).toBe(50); // 2500 ms busy in 5 s
    const sda = io.devices[1]!;
    expect(sda.writesPerSec).toBe(200); // 32-bit wrap of the writes counter
    expect(sda.utilPct).toBe(100); // clamped
    expect(io.readBytesPerSec).toBe(nvme.readBytesPerSec);
  });

  it('falls back to name patterns without /sys/block', () => {
    expect(isWholeDisk('sda', null)).toBe(true);
    expect(isWholeDisk('sda1', null)).toBe(false);
    expect(isWholeDisk('nvme0n1p2', null)).toBe(false);
    expect(isWholeDisk('loop3', null)).toBe(false);
    expect(isWholeDisk('dm-0', null)).toBe(true);
  });
});

describe('disk usage', () => {
  it('keeps real mounts once each, unescaping names', () => {
    const mounts = realMounts(parseMounts(read('server/t0/proc/1/mounts')));
    expect(mounts.map((m) => m.mount)).toEqual(['/', '/boot/efi', '/srv/My Data']);
  });

  it('keeps an overlay root in a container', () => {
    const mounts = realMounts(parseMounts(read('container/proc/self/mounts')));
    expect(mounts.map((m) => `${m.mount}:${m.fstype}`)).toEqual(['/:overlay', '/etc/hosts:ext4']);
  });

  it('computes usage as df does', () => {
    const u = mountUsage(
      { mount: '/', device: '/dev/x', fstype: 'ext4' },
      { blockSize: 4096, blocks: 1000, blocksFree: 250, blocksAvailable: 200, files: 0, filesFree: 0 },
    );
    expect(u.totalBytes).toBe(4096000);
    expect(u.usedBytes).toBe(750 * 4096);
    expect(u.availableBytes).toBe(200 * 4096);
    expect(u.usedPct).toBe(78.95); // 750 / (750 + 200)
    expect(u.inodesUsedPct).toBeNull();
  });
});

describe('tcp', () => {
  it('counts IPv4 and IPv6 sockets by state', () => {
    const t = tcpStats([read('server/t0/proc/net/tcp'), read('server/t0/proc/net/tcp6')]);
    expect(t.byState).toEqual({ listen: 3, established: 4, time_wait: 1, close_wait: 1 });
    expect(t.total).toBe(9);
  });

  it('reads current totals from the kernel counters', () => {
    const c = parseTcpCounters(
      read('server/t0/proc/net/sockstat'),
      read('server/t0/proc/net/sockstat6'),
      read('server/t0/proc/net/snmp'),
    );
    expect(c).toEqual({ inuse: 8, timeWait: 1, established: 4 });
    expect(parseTcpCounters('TCP: inuse 3 orphan 0 tw 2 alloc 3 mem 1', '', read('container/proc/net/snmp'))).toEqual({
      inuse: 3,
      timeWait: 2,
      established: 0,
    });
    expect(() => parseTcpCounters('nothing', '', '')).toThrow(/Cannot parse \/proc\/net\/sockstat/);
  });

  it('combines fresh totals with an older per-state table', () => {
    const table = { listen: 3, established: 40, time_wait: 1, close_wait: 5 };
    // Now: 12 sockets, 6 established, 2 in TIME_WAIT; the table's other states fill the remaining 4.
    expect(combineTcp({ inuse: 10, timeWait: 2, established: 6 }, table)).toEqual({
      total: 12,
      byState: { established: 6, time_wait: 2, listen: 3, close_wait: 1 },
    });
    expect(combineTcp({ inuse: 10, timeWait: 0, established: 6 }, null)).toEqual({
      total: 10,
      byState: { established: 6, time_wait: 0, other: 4 },
    });
  });
});
