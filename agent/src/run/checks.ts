/**
 * What the agent measures on its intervals: host samples, HTTP checks, database checks and the
 * OTLP receiver's application rows, each loaded only when configured and queued when measured.
 */
import { defaultSockets } from '../collect/container-engine.ts';
import { defaultCollectors, Sampler } from '../collect/sampler.ts';
import { osSource } from '../collect/source.ts';
import type { DbChecker } from '../checks/db-check.ts';
import type { runHttpCheck } from '../checks/http-check.ts';
import type { AgentSettings } from '../config/settings.ts';
import type { Logger } from '../log.ts';
import type { OtlpReceiver } from '../otlp/receiver.ts';
import { dbCheckRow, hostSampleRow, httpCheckRow } from '../send/rows.ts';
import type { AgentStatus } from '../status-file.ts';
import type { Enqueue } from './enqueue.ts';
import type { Scheduler } from './scheduler.ts';

/** The measuring parts, primed and ready for their first interval. */
export interface Checks {
  readonly sampler: Sampler;
  readonly dbCheckers: readonly DbChecker[];
  /** Null when no HTTP check is configured (the module is then never loaded). */
  readonly runHttpCheck: typeof runHttpCheck | null;
  /** Null unless the OTLP receiver is enabled. */
  readonly otlp: OtlpReceiver | null;
}

/** Loads and primes what `settings` asks for: counters read once so the first sample has rates, database connections opened, the OTLP receiver listening. */
export async function prepareChecks(settings: AgentSettings, log: Logger): Promise<Checks> {
  const sampler = new Sampler(
    osSource({ procRoot: settings.procRoot, sysRoot: settings.sysRoot, rootfs: settings.rootfs }),
    defaultCollectors({
      containers: settings.containers,
      containerSockets: settings.containerSocket ? [settings.containerSocket] : defaultSockets(),
      processesTop: settings.processesTop,
    }),
  );
  await sampler.prime();
  // The Postgres driver and the HTTP(S) client load only when configured: each costs megabytes of resident memory.
  const { DbChecker } = settings.databases.length ? await import('../checks/db-check.ts') : { DbChecker: null };
  const dbCheckers = DbChecker ? settings.databases.map((t) => new DbChecker(t)) : [];
  const { runHttpCheck } = settings.httpChecks.length
    ? await import('../checks/http-check.ts')
    : { runHttpCheck: null };
  await Promise.all(dbCheckers.map((c) => c.prime()));
  // The OTLP receiver loads only when enabled (off by default); its rows join the queue every send interval.
  const otlp = settings.otlp?.enabled
    ? await (await import('../otlp/receiver.ts')).startOtlpReceiver(settings.otlp, settings.hostId, log)
    : null;
  return { sampler, dbCheckers, runHttpCheck, otlp };
}

/** What the scheduled checks write to. */
export interface CheckSinks {
  enqueue: Enqueue;
  /** `lastSampleAt` is set once a host sample is queued. */
  status: AgentStatus;
  log: Logger;
}

/** Puts every check on its interval: host samples every sample interval, each HTTP check on its own, OTLP rows every send interval, databases every database interval. */
export function scheduleChecks(checks: Checks, settings: AgentSettings, scheduler: Scheduler, sinks: CheckSinks): void {
  const { enqueue, status, log } = sinks;
  const { sampler, runHttpCheck, otlp } = checks;
  scheduler.every(settings.sampleIntervalS * 1000, async () => {
    const sample = await sampler.sample();
    for (const [name, message] of Object.entries(sample.errors)) log.warn(`Collector ${name} failed: ${message}`);
    if (await enqueue([hostSampleRow(settings.hostId, sample)], 'a host sample')) {
      status.lastSampleAt = sample.ts;
      log.debug(`sampled ts=${sample.ts}`);
    }
  });
  for (const check of runHttpCheck ? settings.httpChecks : []) {
    scheduler.every(check.intervalS * 1000, async () => {
      const r = await runHttpCheck!(check);
      if (!r.up) log.warn(`HTTP check ${check.name} is down: ${r.error}`);
      await enqueue([httpCheckRow(settings.hostId, r)], `HTTP check ${check.name}`);
    });
  }
  if (otlp)
    scheduler.every(
      settings.sendIntervalS * 1000,
      async () => void (await enqueue(otlp.rows(), 'OTLP application samples')),
    );
  for (const checker of checks.dbCheckers) {
    scheduler.every(settings.dbIntervalS * 1000, async () => {
      const r = await checker.check();
      if (!r.up) log.warn(`Database check ${checker.target.name} is down: ${r.error}`);
      await enqueue([dbCheckRow(settings.hostId, r)], `database check ${checker.target.name}`);
    });
  }
}
