/** Exponential backoff with jitter for retries. */

/** Backoff settings in milliseconds. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): doubles each time up to `maxMs`, then a
 * random point in the upper half ("equal jitter"), so agents that lost the server together do not
 * come back in lockstep, yet none waits less than half its step.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
