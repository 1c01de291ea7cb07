import { describe, expect, it } from 'vitest';
import type { Collector } from '../../src/collect/collector.ts';
import { defaultCollectors, Sampler } from '../../src/collect/sampler.ts';
import { osSource, type HostSource } from '../../src/collect/source.ts';
import { temperatureStats } from '../../src/collect/temperature.ts';
import { fixtureSource } from '../fixture-source.ts';

/** A source that reads whichever fixture tree is current, to step a sampler from t0 to t1. */
function steppingSource(names: string[]): { source: HostSource; step(): void } {
  const sources = names.map(fixtureSource);
  let i = 0;
  const current = () => sources[i]!;
  return {
    source: {
      get procRoot() {
        return current().procRoot;
      },
      get sysRoot() {
        return current().sysRoot;
      },
      readText: (f) => current().readText(f),
      listDir: (d) => current().listDir(d),
      statfs: (m) => current().statfs(m),
    },
    step: () => void i++,
  };
}

describe('Sampler', () => {
  it('produces a full sample with rates after priming', async () => {
    const { source, step } = steppingSource(['server/t0', 'server/t1']);
    let now = 0;
    const sampler = new Sampler(source, defaultCollectors(), () => now);
    await sampler.prime();
    step();
    now = 5000;
    const s = await sampler.sample(new Date('2025-01-01T00:00:05Z'));
    expect(s.errors).toEqual({});
    expect(s.ts).toBe('2025-01-01T00:00:05.000Z');
    expect(s.cpu?.totalPct).toBe(26.25);
    expect(s.load?.load1).toBe(0.52);
    expect(s.memory?.swapUsedPct).toBe(25);
    expect(s.disk?.mounts.map((m) => m.mount)).toEqual(['/', '/boot/efi', '/srv/My Data']);
    expect(s.disk?.totalBytes).toBe((61049000 + 130812 + 244190000) * 4096);
    expect(s.diskIo?.devices.map((d) => d.device)).toEqual(['nvme0n1', 'sda']);
    expect(s.network?.txBytesPerSec).toBe(102500);
    expect(s.tcp?.total).toBe(9);
    expect(s.uptimeSeconds).toBe(1234572);
    expect(s.processes).toEqual({ total: 5, running: 3, blocked: 1 });
    expect(s.temperatures?.maxCelsius).toBe(52);
    expect(s.temperatures?.sensors).toEqual([
      { sensor: 'coretemp Package id 0', celsius: 52 },
      { sensor: 'coretemp Core 0', celsius: 49 },
      { sensor: 'nvme temp1', celsius: 38.9 },
    ]);
  });

  it('keeps every other part when one collector throws', async () => {
    const broken: Collector = {
      name: 'broken',
      collect() {
        throw new Error('Cannot read /proc/broken: permission denied');
      },
    };
    const sampler = new Sampler(fixtureSource('server/t0'), [...defaultCollectors(), broken]);
    const s = await sampler.sample();
    expect(s.errors).toEqual({ broken: 'Cannot read /proc/broken: permission denied' });
    expect(s.memory?.totalBytes).toBeGreaterThan(0);
    expect(s.cpu).toBeDefined();
  });

  it('samples a container without hwmon, /sys/block, tcp6 or swap', async () => {
    const sampler = new Sampler(fixtureSource('container'));
    await sampler.prime();
    const s = await sampler.sample();
    expect(s.errors).toEqual({});
    expect(s.temperatures).toEqual({ sensors: [], maxCelsius: null });
    expect(s.memory?.swapUsedPct).toBeNull();
    expect(s.disk?.mounts.map((m) => m.mount)).toEqual(['/', '/etc/hosts']);
    expect(s.diskIo?.devices).toEqual([]);
    expect(s.tcp).toEqual({ total: 1, byState: { established: 0, time_wait: 0, listen: 1 } });
    expect(s.processes?.total).toBe(3);
  });

  it("reports a missing file as that collector's error only", async () => {
    const base = fixtureSource('container');
    const source: HostSource = {
      ...base,
      readText: (f) => (f.endsWith('/loadavg') ? base.readText(f + '.missing') : base.readText(f)),
    };
    const s = await new Sampler(source).sample();
    expect(Object.keys(s.errors)).toEqual(['load']);
    expect(s.errors.load).toMatch(/ENOENT/);
    expect(s.memory).toBeDefined();
  });

  it('skips a mount whose statfs hangs and reports the rest', async () => {
    const base = fixtureSource('server/t0');
    const source: HostSource = {
      ...base,
      statfs: (m) => (m === '/srv/My Data' ? new Promise(() => {}) : base.statfs(m)),
    };
    const { diskUsageCollector } = await import('../../src/collect/disk-usage.ts');
    const t0 = performance.now();
    const s = await new Sampler(source, [diskUsageCollector(100)]).sample();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(s.disk?.mounts.map((m) => m.mount)).toEqual(['/', '/boot/efi']);
  });

  it('falls back to thermal zones when there is no hwmon sensor', () => {
    const base = fixtureSource('server/t0');
    const source: HostSource = { ...base, listDir: (d) => (d.endsWith('/class/hwmon') ? [] : base.listDir(d)) };
    expect(temperatureStats(source)).toEqual({ sensors: [{ sensor: 'x86_pkg_temp', celsius: 52 }], maxCelsius: 52 });
  });

  it('samples this machine without errors', async () => {
    const sampler = new Sampler(osSource());
    await sampler.prime();
    await new Promise((r) => setTimeout(r, 200));
    const s = await sampler.sample();
    expect(s.errors).toEqual({});
    expect(s.cpu!.perCorePct.length).toBeGreaterThan(0);
    expect(s.memory!.totalBytes).toBeGreaterThan(0);
    expect(s.disk!.mounts.length).toBeGreaterThan(0);
    expect(s.processes!.total).toBeGreaterThan(1);
  });
});
