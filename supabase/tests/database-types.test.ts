/** The committed database types match the schema: apply the migrations to a fresh database, generate, compare. */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostedDatabase, pushMigrations } from '../../testkit/src/fresh-database.ts';
import { generateTypes, TYPES_FILE } from '../scripts/gen-types.ts';
import { env } from './helpers.ts';

describe('database types', () => {
  // A database of its own: other test files create tables in the shared database's public schema meanwhile.
  it('are up to date with the migrations (run `npm run gen:types` against a fresh stack if this fails)', {
    timeout: 240_000,
  }, async () => {
    const fresh = await hostedDatabase(env.SUPABASE_DB_URL, 'types_check');
    try {
      await pushMigrations(fresh.url);
      const generated = generateTypes(fresh.url);
      const committed = readFileSync(TYPES_FILE, 'utf8');
      if (process.env.VIBE_TYPES_DUMP) writeFileSync(process.env.VIBE_TYPES_DUMP, generated);
      expect(
        committed === generated,
        'supabase/functions/_shared/database.types.ts is stale: run `npm run gen:types`',
      ).toBe(true);
    } finally {
      await fresh.drop();
    }
  });
});
