/**
 * Derives RED figures per service and route for each send interval: request count, throughput,
 * error rate and latency p50/p95/p99. Sources, in order of preference per service:
 * `http.server.request.duration` histograms (delta, or cumulative differenced per series), then
 * SERVER spans, whose percentiles are exact. A service that sent duration metrics in the last ten
 * minutes has its spans ignored, so the same requests are never counted twice.
 */
import { CumulativeState, seriesKey, type Delta } from './cumulative.ts';
import {
  SPAN_KIND_SERVER,
  STATUS_ERROR,
  type ExpHistogramPoint,
  type HistogramPoint,
  type ResourceMetrics,
  type ResourceSpans,
} from './model.ts';
import { bucketQuantiles, exactQuantiles, explicitBuckets, exponentialBuckets, type Bucket } from './quantile.ts';
import { NameCap, routeOf, serviceName, statusCodeOf } from './routes.ts';
import { validateExpPoint, validateHistogramPoint } from './validate.ts';

/** Duration metrics read, with the unit each uses when the point names none. */
const DURATION_METRICS: Record<string, string> = { 'http.server.request.duration': 's', 'http.server.duration': 'ms' };
/** Milliseconds per unit (UCUM codes the SDKs use). */
const UNIT_MS: Record<string, number> = { s: 1000, ms: 1, us: 0.001, ns: 1e-6 };
const QS = [0.5, 0.95, 0.99];

/** Limits and clocks of an aggregator. */
export interface AggregatorOptions {
  /** Distinct routes kept per service; later ones fold into "other". */
  maxRoutesPerService: number;
  /** Distinct services kept; later ones fold into "other". */
  maxServices: number;
  /** Span durations kept per route and interval for exact percentiles; past it a uniform sample is kept. */
  maxSpansPerRoute?: number;
  /** How long metrics from a service take precedence over its spans. Default 10 minutes. */
  metricsPrecedenceMs?: number;
  /** Unix ns the receiver started at (cumulative series that started earlier only set a baseline). */
  startNs?: number;
  /** Clock in ms; Date.now unless the caller drives time itself. */
  now?: () => number;
}

/** What one route did in one interval. */
export interface RouteFigures {
  service: string;
  route: string;
  source: 'metrics' | 'traces';
  requests: number;
  errors: number;
  /** Percent, 0–100. */
  errorRatePct: number;
  throughputRps: number;
  /** Null when the sender gave no sum. */
  meanMs: number | null;
  /** Null when the sender gave no buckets. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Seconds the figures cover. */
  windowS: number;
}

/** How much of a request was used. */
export interface IngestResult {
  rejected: number;
  /** Why points or spans were rejected (the first reason), for partial_success. */
  message: string | null;
}

class Acc {
  count = 0;
  errors = 0;
  sumMs = 0;
  sumKnown = true;
  buckets = new Map<string, Bucket>();
  durations: number[] = [];
  seen = 0;
  startNs = Infinity;
  endNs = -Infinity;
}

interface Slot {
  metrics?: Acc;
  traces?: Acc;
}

interface Service {
  routes: NameCap;
  lastMetricsMs: number | null;
  slots: Map<string, Slot>;
}

/** Accumulates decoded OTLP requests and hands out one interval's figures at a time. */
export class OtlpAggregator {
  readonly #opts: Required<Omit<AggregatorOptions, 'now' | 'startNs'>>;
  readonly #now: () => number;
  readonly #services = new Map<string, Service>();
  readonly #serviceCap: NameCap;
  readonly #cumulative: CumulativeState;
  #lastDrainMs: number;

  constructor(opts: AggregatorOptions) {
    this.#opts = { maxSpansPerRoute: 1024, metricsPrecedenceMs: 10 * 60_000, ...opts };
    this.#now = opts.now ?? Date.now;
    this.#serviceCap = new NameCap(opts.maxServices);
    this.#cumulative = new CumulativeState(opts.startNs ?? this.#now() * 1e6);
    this.#lastDrainMs = this.#now();
  }

  #service(name: string): Service {
    const admitted = this.#serviceCap.admit(name);
    let s = this.#services.get(admitted);
    if (!s)
      this.#services.set(
        admitted,
        (s = { routes: new NameCap(this.#opts.maxRoutesPerService), lastMetricsMs: null, slots: new Map() }),
      );
    return s;
  }

  #acc(svc: Service, route: string, source: keyof Slot): Acc {
    const name = svc.routes.admit(route);
    let slot = svc.slots.get(name);
    if (!slot) svc.slots.set(name, (slot = {}));
    return (slot[source] ??= new Acc());
  }

  #addDistribution(
    acc: Acc,
    d: Delta<unknown>,
    timeNs: number,
    errors: boolean,
    unit: number,
    buckets: Bucket[],
  ): void {
    acc.count += d.count;
    if (errors) acc.errors += d.count;
    if (d.sum === null) acc.sumKnown = false;
    else acc.sumMs += d.sum * unit;
    for (const b of buckets) {
      const key = `${b.lo}|${b.hi}`;
      const have = acc.buckets.get(key);
      if (have) have.n += b.n;
      else acc.buckets.set(key, { ...b });
    }
    if (d.startNs < acc.startNs) acc.startNs = d.startNs;
    if (timeNs > acc.endNs) acc.endNs = timeNs;
  }

  /** Adds a decoded metrics request; only duration histograms feed figures, other metrics are accepted and ignored. */
  addMetrics(req: ResourceMetrics[]): IngestResult {
    const out: IngestResult = { rejected: 0, message: null };
    const reject = (n: number, why: string) => {
      out.rejected += n;
      out.message ??= why;
    };
    const nowMs = this.#now();
    for (const rm of req) {
      const service = serviceName(rm.resource);
      const instance = String(rm.resource['service.instance.id'] ?? '');
      for (const m of rm.metrics) {
        const defaultUnit = DURATION_METRICS[m.name];
        if (defaultUnit === undefined || (m.data.kind !== 'histogram' && m.data.kind !== 'exponential')) continue;
        const unit = UNIT_MS[m.unit || defaultUnit];
        if (unit === undefined) {
          reject(m.data.points.length, `${m.name}: unit "${m.unit}" is not a time unit (s, ms, us, ns)`);
          continue;
        }
        if (m.data.temporality === 0) {
          reject(m.data.points.length, `${m.name}: aggregation temporality unspecified (set delta or cumulative)`);
          continue;
        }
        const svc = this.#service(service);
        const prefix = `${service}\u0000${instance}\u0000${m.name}`;
        for (const p of m.data.points as (HistogramPoint | ExpHistogramPoint)[]) {
          const problem =
            m.data.kind === 'histogram'
              ? validateHistogramPoint(p as HistogramPoint)
              : validateExpPoint(p as ExpHistogramPoint);
          if (problem) {
            reject(1, `${m.name}: ${problem}`);
            continue;
          }
          svc.lastMetricsMs = nowMs;
          const errors = (statusCodeOf(p.attrs) ?? 0) >= 500;
          if (m.data.kind === 'histogram') {
            const hp = p as HistogramPoint;
            const d =
              m.data.temporality === 1
                ? { point: hp, startNs: hp.startNs, count: hp.count, sum: hp.sum }
                : this.#cumulative.histogram(seriesKey(prefix, hp.attrs), hp, nowMs);
            if (!d || d.count <= 0) continue;
            this.#addDistribution(
              this.#acc(svc, routeOf(hp.attrs), 'metrics'),
              d,
              hp.timeNs,
              errors,
              unit,
              explicitBuckets(d.point, unit),
            );
          } else {
            const ep = p as ExpHistogramPoint;
            const d =
              m.data.temporality === 1
                ? { point: ep, startNs: ep.startNs, count: ep.count, sum: ep.sum }
                : this.#cumulative.exponential(seriesKey(prefix, ep.attrs), ep, nowMs);
            if (!d || d.count <= 0) continue;
            this.#addDistribution(
              this.#acc(svc, routeOf(ep.attrs), 'metrics'),
              d,
              ep.timeNs,
              errors,
              unit,
              exponentialBuckets(d.point, unit),
            );
          }
        }
      }
    }
    return out;
  }

  /** Adds a decoded traces request; SERVER spans count, others are accepted and ignored. */
  addSpans(req: ResourceSpans[]): IngestResult {
    const out: IngestResult = { rejected: 0, message: null };
    const nowMs = this.#now();
    const cap = this.#opts.maxSpansPerRoute;
    for (const rs of req) {
      let svc: Service | null = null;
      for (const s of rs.spans) {
        if (s.kind !== SPAN_KIND_SERVER) continue;
        if (!(s.durationNs >= 0) || !Number.isFinite(s.durationNs)) {
          out.rejected++;
          out.message ??= `span "${s.name.slice(0, 80)}" ends before it starts`;
          continue;
        }
        svc ??= this.#service(serviceName(rs.resource));
        if (svc.lastMetricsMs !== null && nowMs - svc.lastMetricsMs <= this.#opts.metricsPrecedenceMs) break;
        const acc = this.#acc(svc, routeOf(s.attrs, s.name), 'traces');
        const ms = s.durationNs / 1e6;
        acc.count++;
        if (s.statusCode === STATUS_ERROR || (statusCodeOf(s.attrs) ?? 0) >= 500) acc.errors++;
        acc.sumMs += ms;
        // Reservoir sampling (algorithm R) past the cap keeps a uniform sample of the interval's durations.
        acc.seen++;
        if (acc.durations.length < cap) acc.durations.push(ms);
        else {
          const j = Math.floor(Math.random() * acc.seen);
          if (j < cap) acc.durations[j] = ms;
        }
        if (s.startNs < acc.startNs) acc.startNs = s.startNs;
        if (s.startNs + s.durationNs > acc.endNs) acc.endNs = s.startNs + s.durationNs;
      }
    }
    return out;
  }

  /** The figures of every route with requests since the last call, and a fresh interval. */
  drain(nowMs = this.#now()): RouteFigures[] {
    const intervalS = Math.max(0.001, (nowMs - this.#lastDrainMs) / 1000);
    this.#lastDrainMs = nowMs;
    const out: RouteFigures[] = [];
    for (const [service, svc] of this.#services) {
      const metricsFresh = svc.lastMetricsMs !== null && nowMs - svc.lastMetricsMs <= this.#opts.metricsPrecedenceMs;
      for (const [route, slot] of svc.slots) {
        const source = slot.metrics ? 'metrics' : metricsFresh ? null : slot.traces ? 'traces' : null;
        const acc = source ? slot[source]! : null;
        if (!source || !acc || acc.count <= 0) continue;
        let qs: number[];
        if (source === 'metrics')
          qs = acc.buckets.size ? bucketQuantiles([...acc.buckets.values()], QS) : [NaN, NaN, NaN];
        else qs = exactQuantiles(Float64Array.from(acc.durations), QS);
        const windowNsS = (acc.endNs - acc.startNs) / 1e9;
        // Metrics cover their points' windows; spans are counted over the interval they arrived in.
        const windowS = source === 'metrics' && windowNsS > 0 ? windowNsS : intervalS;
        const q = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? null : v);
        out.push({
          service,
          route,
          source,
          requests: acc.count,
          errors: acc.errors,
          errorRatePct: (acc.errors / acc.count) * 100,
          throughputRps: acc.count / windowS,
          meanMs: acc.sumKnown ? acc.sumMs / acc.count : null,
          p50Ms: q(qs[0]),
          p95Ms: q(qs[1]),
          p99Ms: q(qs[2]),
          windowS,
        });
      }
      svc.slots.clear();
    }
    this.#cumulative.expire(nowMs - 15 * 60_000);
    return out;
  }

  /** How much state is kept: services, routes, and cumulative series (each bounded by the options). */
  get stats(): { services: number; routes: number; series: number } {
    let routes = 0;
    for (const s of this.#services.values()) routes += s.routes.size;
    return { services: this.#services.size, routes, series: this.#cumulative.size };
  }
}
