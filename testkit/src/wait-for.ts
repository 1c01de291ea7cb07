/** Polls a condition until it holds: the one wait helper for tests, instead of fixed sleeps. */

/** How long to wait, how often to look, and what the failure names. */
export interface WaitForOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between looks (default 100 ms). */
  intervalMs?: number;
  /** What was awaited, for the error; a function is called at the timeout (e.g. to add a process's output). */
  message?: string | (() => string);
}

/**
 * Calls `predicate` until it returns a truthy value and resolves with that value; rejects after `timeoutMs`
 * with "Timed out after N ms waiting for <message>" (and the last error the predicate threw, if any).
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 100;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) {
      const what = typeof opts.message === 'function' ? opts.message() : (opts.message ?? 'a condition');
      const cause = lastError
        ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`
        : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
