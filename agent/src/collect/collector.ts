/** The one signature every collector has. */
import type { HostSample } from '../sample.ts';
import type { HostSource } from './source.ts';

/** What a collector contributes to a sample. */
export type SamplePart = Partial<Omit<HostSample, 'ts' | 'errors'>>;

/**
 * A collector reads one part of the OS and returns its part of a sample. Collectors that report
 * rates keep the previous counters themselves, so the same instance must be used for every sample.
 */
export interface Collector {
  readonly name: string;
  /** `nowMs` is a monotonic clock in milliseconds (performance.now()), used for rates. */
  collect(source: HostSource, nowMs: number): SamplePart | Promise<SamplePart>;
}
