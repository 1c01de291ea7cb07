/** The committed database types match the schema: regenerate against the test stack and compare. */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateTypes, TYPES_FILE } from '../scripts/gen-types.ts';
import { env } from './helpers.ts';

describe('database types', () => {
  it('are up to date with the migrations (run `npm run gen:types` against a fresh stack if this fails)', { timeout: 120_000 }, () => {
    const fresh = generateTypes(env.SUPABASE_DB_URL);
    const committed = readFileSync(TYPES_FILE, 'utf8');
    if (process.env.VIBE_TYPES_DUMP) writeFileSync(process.env.VIBE_TYPES_DUMP, fresh);
    expect(committed === fresh, 'supabase/functions/_shared/database.types.ts is stale: run `npm run gen:types`').toBe(true);
  });
});
