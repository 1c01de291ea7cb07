/** One host on the dashboard: its latest numbers, firing alerts and recent CPU, updated in place. */
import { hostStatus, type HostMetrics, type HostStatus } from './host-model.ts';

/** How many CPU points a sparkline keeps. */
export const SPARK_POINTS = 60;

/** A host whose fields are reactive, so a live update re-renders only the cells that changed. */
export class LiveHost {
  readonly id: string;
  name = $state('');
  slug = $state('');
  labels = $state.raw<Record<string, string>>({});
  lastSeenAt = $state<string | null>(null);
  metrics = $state.raw<HostMetrics>(emptyMetrics());
  /** Firing alerts: rule id → severity. */
  firing = $state.raw<ReadonlyMap<string, string>>(new Map());
  /** Recent CPU values, oldest first. */
  spark = $state.raw<number[]>([]);
  /** Seconds without a sample after which the host counts as offline. */
  offlineAfterS = $state(30);
  /** Status given by the server (API polling) when it is newer than what we computed. */
  serverStatus = $state<HostStatus | null>(null);
  private readonly clock: Clock;
  status: HostStatus;

  constructor(id: string, clock: Clock) {
    this.id = id;
    this.clock = clock;
    this.status = $derived(
      this.serverStatus ?? hostStatus(this.lastSeenAt, this.offlineAfterS, this.firing.values(), this.clock.now),
    );
  }

  /** Applies a snapshot taken at `ts`; older snapshots than the one shown are ignored. */
  applySnapshot(ts: string, metrics: HostMetrics): void {
    if (this.lastSeenAt && Date.parse(ts) < Date.parse(this.lastSeenAt)) return;
    this.lastSeenAt = ts;
    this.metrics = metrics;
    this.serverStatus = null;
    if (metrics.cpu != null) this.pushSpark(metrics.cpu);
  }

  /** Replaces the sparkline history (from stored samples), keeping the newest points. */
  seedSpark(values: number[]): void {
    this.spark = values.slice(-SPARK_POINTS);
  }

  /** Records an alert transition for this host. */
  applyAlert(ruleId: string, kind: string, severity: string): void {
    const next = new Map(this.firing);
    if (kind === 'firing') next.set(ruleId, severity);
    else if (kind === 'resolved' || kind === 'cancelled') next.delete(ruleId);
    else return;
    this.firing = next;
  }

  private pushSpark(v: number): void {
    const s = this.spark.length >= SPARK_POINTS ? this.spark.slice(1) : this.spark.slice();
    s.push(v);
    this.spark = s;
  }
}

/** A shared, coarse clock: status derivations read it so hosts turn offline without new samples. */
export class Clock {
  now = $state(Date.now());
}

/** Metrics with every value unknown. */
export function emptyMetrics(): HostMetrics {
  return {
    cpu: null,
    cpuCount: null,
    memPercent: null,
    memTotal: null,
    memUsed: null,
    diskPercent: null,
    diskTotal: null,
    diskUsed: null,
    load1: null,
    netRx: null,
    netTx: null,
    netConnections: null,
    uptime: null,
  };
}
