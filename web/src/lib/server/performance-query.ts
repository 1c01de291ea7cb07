/** Validation of GET /api/monitoring/performance parameters (pure). */
import { ApiError } from './api-error.ts';

/** Metrics the seed names; each selects one field of a point. */
export const metricNames = ['cpu', 'memory', 'disk', 'network'] as const;
/** One of the seed's metric names. */
export type MetricName = (typeof metricNames)[number];

/** A validated performance request. */
export interface PerformanceQuery {
  serverId: string;
  from: Date;
  to: Date;
  /** True when neither from nor to was given: the moving "last hour" window. */
  lastHour: boolean;
  metric: MetricName | null;
}

/** Longest range one request may ask for. */
export const maxRangeDays = 400;
const hourMs = 3_600_000;

// ISO 8601 as JSON and Postgres write it: a date, optionally a time that must then carry Z or an offset,
// so "12:00" never silently means the server's local time.
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?([Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

/** Parses one ISO time parameter, or explains what is wrong with it. */
export function parseIsoTime(name: string, raw: string): Date {
  const m = isoPattern.exec(raw);
  if (!m) {
    const hint = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw)
      ? ' (add Z or an offset such as +09:00 to the time)'
      : '';
    throw new ApiError(
      400,
      'invalid_parameter',
      `${name} must be an ISO 8601 time such as 2025-06-01T12:00:00Z, got "${raw}"${hint}`,
    );
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  const date = new Date(zone ? raw.replace(' ', 'T') : `${y}-${mo}-${d}T00:00:00Z`);
  // Date() rolls 2025-02-30 over to March; a round trip of the calendar fields catches it.
  const probe = zone ? new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`) : date;
  if (
    Number.isNaN(date.getTime()) ||
    probe.getUTCFullYear() !== Number(y) ||
    probe.getUTCMonth() + 1 !== Number(mo) ||
    probe.getUTCDate() !== Number(d) ||
    probe.getUTCHours() !== Number(h) ||
    probe.getUTCMinutes() !== Number(mi) ||
    probe.getUTCSeconds() !== Number(s)
  ) {
    throw new ApiError(400, 'invalid_parameter', `${name} is not a real calendar time: "${raw}"`);
  }
  return date;
}

/** Validates the query string; throws ApiError(400) naming the parameter and the fix. */
export function parsePerformanceQuery(params: URLSearchParams, now = new Date()): PerformanceQuery {
  const serverId = params.get('serverId')?.trim();
  if (!serverId) {
    throw new ApiError(
      400,
      'missing_parameter',
      'serverId is required: pass a host id or slug, e.g. ?serverId=web-server-1',
    );
  }
  const rawMetric = params.get('metric');
  let metric: MetricName | null = null;
  if (rawMetric !== null) {
    if (!(metricNames as readonly string[]).includes(rawMetric)) {
      throw new ApiError(
        400,
        'invalid_parameter',
        `metric must be one of ${metricNames.join(', ')}, got "${rawMetric}" (omit it for all metrics)`,
      );
    }
    metric = rawMetric as MetricName;
  }
  const rawFrom = params.get('from');
  const rawTo = params.get('to');
  const to = rawTo !== null ? parseIsoTime('to', rawTo) : now;
  const from = rawFrom !== null ? parseIsoTime('from', rawFrom) : new Date(to.getTime() - hourMs);
  if (from.getTime() >= to.getTime()) {
    throw new ApiError(
      400,
      'invalid_range',
      `from must be before to, got from=${from.toISOString()} and to=${to.toISOString()}`,
    );
  }
  if (to.getTime() - from.getTime() > maxRangeDays * 24 * hourMs) {
    throw new ApiError(400, 'invalid_range', `The range may span at most ${maxRangeDays} days: narrow from/to`);
  }
  return { serverId, from, to, lastHour: rawFrom === null && rawTo === null, metric };
}
