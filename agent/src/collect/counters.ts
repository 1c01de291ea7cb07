/** Rates from monotonically increasing kernel counters, with wrap and reset handled. */

const WRAP_32 = 2 ** 32;

/**
 * Increase of a counter between two readings. A decrease means either a 32-bit counter wrapped
 * (older kernels and some drivers expose 32-bit counters) or the counter was reset (interface
 * re-created, driver reloaded). A wrap is assumed only when the previous value fits in 32 bits and
 * the wrapped increase is plausible (under 2^31); otherwise the counter restarted from zero and the
 * new value itself is the increase, as Prometheus' rate() treats resets.
 */
export function counterDelta(previous: number, current: number): number {
  if (current >= previous) return current - previous;
  if (previous < WRAP_32) {
    const wrapped = WRAP_32 - previous + current;
    if (wrapped < WRAP_32 / 2) return wrapped;
  }
  return current;
}

/** Per-second rate of a counter over `seconds`; 0 when no time passed. */
export function counterRate(previous: number, current: number, seconds: number): number {
  if (!(seconds > 0)) return 0;
  return counterDelta(previous, current) / seconds;
}

/** Rounds to a fixed number of decimals so samples stay compact. */
export function round(value: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** `part / whole` as a percentage clamped to 0–100; 0 when whole is 0. */
export function pct(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  return round(Math.min(100, Math.max(0, (part / whole) * 100)));
}
