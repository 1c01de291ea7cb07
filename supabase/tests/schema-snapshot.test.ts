/** The committed schema snapshot matches the migrations: apply them to a fresh database, dump, compare. */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchema, SCHEMA_FILE } from '../scripts/gen-schema.ts';
import { env } from './helpers.ts';

describe('schema snapshot', () => {
  it('is up to date with the migrations (run `npm run gen:schema` if this fails)', { timeout: 240_000 }, async () => {
    const fresh = await generateSchema(env.SUPABASE_DB_URL);
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (process.env.VIBE_SCHEMA_DUMP) writeFileSync(process.env.VIBE_SCHEMA_DUMP, fresh);
    expect(committed === fresh, 'supabase/schema.sql is stale: run `npm run gen:schema`').toBe(true);
  });
});
