/** Runs every collector for one host sample; a collector that throws is reported in `errors` and never drops the others. */
import type { HostSample } from '../sample.ts';
import type { Collector } from './collector.ts';
import { defaultSockets } from './container-engine.ts';
import { containersCollector } from './containers.ts';
import { cpuCollector } from './cpu.ts';
import { diskIoCollector } from './disk-io.ts';
import { diskUsageCollector } from './disk-usage.ts';
import { loadCollector } from './load.ts';
import { memoryCollector } from './memory.ts';
import { networkCollector } from './network.ts';
import { processesCollector } from './processes.ts';
import type { HostSource } from './source.ts';
import { tcpCollector } from './tcp.ts';
import { temperatureCollector } from './temperature.ts';
import { topProcessesCollector } from './top-processes.ts';
import { uptimeCollector } from './uptime.ts';

/** The optional collectors: containers on or off (and the engine sockets to ask for names), top-N processes (0 = off). */
export interface CollectorOptions {
  containers: boolean;
  containerSockets: readonly string[];
  processesTop: number;
}

/** Containers on (names from the default sockets), top 10 processes. */
export const DEFAULT_COLLECTOR_OPTIONS: CollectorOptions = Object.freeze({
  containers: true,
  containerSockets: defaultSockets(),
  processesTop: 10,
});

/** A fresh set of every collector (rate collectors keep state, so each sampler has its own). */
export function defaultCollectors(options: CollectorOptions = DEFAULT_COLLECTOR_OPTIONS): Collector[] {
  const optional: Collector[] = [];
  if (options.processesTop > 0) optional.push(topProcessesCollector(options.processesTop));
  if (options.containers) optional.push(containersCollector(options.containerSockets));
  return [
    cpuCollector(),
    loadCollector(),
    memoryCollector(),
    diskUsageCollector(),
    diskIoCollector(),
    networkCollector(),
    tcpCollector(),
    uptimeCollector(),
    processesCollector(),
    temperatureCollector(),
    ...optional,
  ];
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Collects host samples from one source with one set of collectors. */
export class Sampler {
  readonly #source: HostSource;
  readonly #collectors: Collector[];
  readonly #clock: () => number;

  constructor(
    source: HostSource,
    collectors: Collector[] = defaultCollectors(),
    clock: () => number = () => performance.now(),
  ) {
    this.#source = source;
    this.#collectors = collectors;
    this.#clock = clock;
  }

  /** Takes one sample now. `ts` defaults to the wall clock. */
  async sample(ts: Date = new Date()): Promise<HostSample> {
    const now = this.#clock();
    const sample: HostSample = { ts: ts.toISOString(), errors: {} };
    const parts = await Promise.all(
      this.#collectors.map(async (c) => {
        try {
          return await c.collect(this.#source, now);
        } catch (err) {
          sample.errors[c.name] = message(err);
          return {};
        }
      }),
    );
    for (const part of parts) Object.assign(sample, part);
    return sample;
  }

  /** Reads every counter once so that the first real sample already has rates. */
  async prime(): Promise<void> {
    await this.sample();
  }
}
