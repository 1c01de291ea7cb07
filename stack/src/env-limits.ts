/** Whole-number limits read from environment variables over defaults, shared by the gateway and Realtime. */

/**
 * The defaults with every set variable applied; a value that is not a whole number ≥ 1 stops the start with a
 * message naming the variable.
 */
export function readLimits<T extends { [K in keyof T]: number }>(
  defaults: Readonly<T>,
  names: Readonly<Record<keyof T, string>>,
  env: NodeJS.ProcessEnv,
): T {
  const out = { ...defaults } as T;
  for (const key of Object.keys(names) as (keyof T)[]) {
    const name = names[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`Invalid ${name}: expected a whole number of at least 1, got "${raw}"`);
    out[key] = n as T[keyof T];
  }
  return out;
}
