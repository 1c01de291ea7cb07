/** `vibe-agent print`: one host sample as JSON, no network, no credentials. */
import { Sampler } from '../collect/sampler.ts';
import { osSource, type OsSourceOptions } from '../collect/source.ts';
import type { HostSample } from '../sample.ts';

/** Primes the counters, waits `windowMs` so rates cover a real interval, and samples. */
export async function printSample(options: OsSourceOptions, windowMs = 1000): Promise<HostSample> {
  const sampler = new Sampler(osSource(options));
  await sampler.prime();
  await new Promise((r) => setTimeout(r, windowMs));
  return sampler.sample();
}
