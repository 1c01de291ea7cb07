/** The per-request settings REST applies: the search path follows `[api] extra_search_path`. */
import { describe, expect, it } from 'vitest';
import type { SchemaCache } from '../src/rest/catalog.ts';
import { settingsStatement } from '../src/rest/session.ts';

const cache = { roleSettings: new Map() } as unknown as SchemaCache;
const identity = { role: 'authenticated', claims: { role: 'authenticated' }, anonymous: false };
const searchPath = (extra?: string[]) => {
  const s = settingsStatement(cache, identity, {
    schema: 'api',
    extraSearchPath: extra,
    method: 'GET',
    path: '/t',
    headers: {},
  });
  return s.values[s.values.indexOf('search_path') + 1];
};

describe('REST request settings', () => {
  it('puts the exposed schema first, then extra_search_path (default public, extensions)', () => {
    expect(searchPath()).toBe('"api", public, extensions');
    expect(searchPath(['public', 'extensions', 'app_helpers'])).toBe('"api", public, extensions, app_helpers');
    expect(searchPath([])).toBe('"api"');
    expect(searchPath(['Odd "name"'])).toBe('"api", "Odd ""name"""');
  });
});
