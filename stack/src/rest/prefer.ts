/** The `Prefer` request header, parsed as PostgREST reads it, and the `Preference-Applied` echo. */
import { RestError } from './errors.ts';

/** Preferences a request can carry. */
export interface Preferences {
  return?: 'minimal' | 'representation' | 'headers-only';
  count?: 'exact' | 'planned' | 'estimated';
  resolution?: 'merge-duplicates' | 'ignore-duplicates';
  missing?: 'default' | 'null';
  tx?: 'commit' | 'rollback';
  handling?: 'strict' | 'lenient';
  maxAffected?: number;
  /** Preferences that were not understood (an error under `handling=strict`). */
  invalid: string[];
}

const ALLOWED: Record<string, readonly string[]> = {
  return: ['minimal', 'representation', 'headers-only'],
  count: ['exact', 'planned', 'estimated'],
  resolution: ['merge-duplicates', 'ignore-duplicates'],
  missing: ['default', 'null'],
  tx: ['commit', 'rollback'],
  handling: ['strict', 'lenient'],
};

/** Parses every `Prefer` header value (comma-separated `key=value` items). */
export function parsePrefer(header: string | string[] | undefined): Preferences {
  const prefs: Preferences = { invalid: [] };
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (key === 'max-affected' && /^\d+$/.test(value)) prefs.maxAffected = Number(value);
    else if (key in ALLOWED && ALLOWED[key]!.includes(value)) (prefs as unknown as Record<string, string>)[key] = value;
    else if (key !== 'timezone' && key !== 'params') prefs.invalid.push(item);
  }
  if (prefs.handling === 'strict' && prefs.invalid.length) {
    throw new RestError(
      400,
      'PGRST122',
      'Invalid preferences given with handling=strict',
      `Invalid preferences: ${prefs.invalid.join(', ')}`,
      null,
    );
  }
  return prefs;
}

/** What a request did, for the preferences PostgREST echoes per action. */
export type Action = 'read' | 'insert' | 'update' | 'delete' | 'put' | 'rpc';

/**
 * The `Preference-Applied` value for the preferences this request honoured, as PostgREST's `responsePreferences`:
 * `resolution` on inserts only (the caller drops it without a conflict target), `missing` on inserts and updates,
 * `return` on writes, `max-affected` (with `handling=strict`) on updates, deletes and rpc, where it is enforced.
 */
export function preferenceApplied(prefs: Preferences, action: Action): string | null {
  const write = action === 'insert' || action === 'update' || action === 'delete' || action === 'put';
  const out: string[] = [];
  if (action === 'insert' && prefs.resolution) out.push(`resolution=${prefs.resolution}`);
  if ((action === 'insert' || action === 'update') && prefs.missing) out.push(`missing=${prefs.missing}`);
  if (write && prefs.return) out.push(`return=${prefs.return}`);
  if (prefs.count) out.push(`count=${prefs.count}`);
  if (prefs.tx) out.push(`tx=${prefs.tx}`);
  if (prefs.handling) out.push(`handling=${prefs.handling}`);
  const enforced = action === 'update' || action === 'delete' || action === 'rpc';
  if (enforced && prefs.handling === 'strict' && prefs.maxAffected !== undefined)
    out.push(`max-affected=${prefs.maxAffected}`);
  return out.length ? out.join(', ') : null;
}

/** PGRST124 when a strict `max-affected` is exceeded. */
export function checkMaxAffected(prefs: Preferences, affected: number): void {
  if (prefs.handling === 'strict' && prefs.maxAffected !== undefined && affected > prefs.maxAffected) {
    throw new RestError(
      400,
      'PGRST124',
      'Query result exceeds max-affected preference constraint',
      `The query affects ${affected} rows`,
      null,
    );
  }
}
