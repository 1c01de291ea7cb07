/**
 * Cache TTL tiers, defined once for the edge functions and the web app (the seed's "TTL tiers"):
 * high-frequency metrics live 15–60 s, low-frequency data 5–15 min. No imports: Deno and Node
 * (SvelteKit) import this file by relative path.
 *
 *   ttlSeconds('high')                → 30   (default inside the high tier)
 *   ttlSeconds('high', { sampleIntervalS: 10 }) → 30   (three sample intervals, clamped to 15–60)
 *   ttlSeconds('low')                 → 300
 *   TTL_TIERS.low.max                 → 900
 */

/** Bounds and default of one tier, in seconds. */
export interface TtlTier {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** The two tiers the seed names. */
export const TTL_TIERS = Object.freeze({
  /** Live values that change every sample: latest host snapshot, server list. */
  high: Object.freeze({ min: 15, max: 60, default: 30 }),
  /** Slow-moving data: history pages, baselines, rollup queries. */
  low: Object.freeze({ min: 300, max: 900, default: 300 }),
} satisfies Record<string, TtlTier>);

/** Tier names: 'high' or 'low'. */
export type TtlTierName = keyof typeof TTL_TIERS;

/**
 * TTL in whole seconds for a tier. With `sampleIntervalS`, the TTL is three intervals (an entry
 * survives two missed samples, then expires so readers fall back to Postgres), clamped to the tier.
 */
export function ttlSeconds(tier: TtlTierName, options: { sampleIntervalS?: number } = {}): number {
  const t = TTL_TIERS[tier];
  if (!t) throw new RangeError(`Unknown TTL tier: ${String(tier)} (use 'high' or 'low')`);
  const interval = options.sampleIntervalS;
  const wanted = interval !== undefined && Number.isFinite(interval) && interval > 0 ? 3 * interval : t.default;
  return Math.round(Math.min(t.max, Math.max(t.min, wanted)));
}
