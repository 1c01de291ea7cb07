/** A session from /auth/v1 is what /rest/v1 and RLS see: auth.uid() is the signed-in user. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, closeSql, signedUpUser, sql } from './auth-helpers.ts';

const table = `auth_notes_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await sql(`create table public.${table} (
    id bigint generated always as identity primary key,
    owner uuid not null default auth.uid() references auth.users (id) on delete cascade,
    note text not null
  )`);
  await sql(`alter table public.${table} enable row level security`);
  await sql(
    `create policy "Owners can read their notes" on public.${table} for select to authenticated using (owner = (select auth.uid()))`,
  );
  await sql(
    `create policy "Owners can add their notes" on public.${table} for insert to authenticated with check (owner = (select auth.uid()))`,
  );
  await sql(`grant select, insert on public.${table} to authenticated`);
});

afterAll(async () => {
  await sql(`drop table if exists public.${table}`);
  await closeSql();
});

describe('auth session against REST', () => {
  it("inserts and reads only the signed-in user's rows; a signed-out client sees none", async () => {
    const a = await signedUpUser('rest-a');
    const b = await signedUpUser('rest-b');
    const insA = await a.client.from(table).insert({ note: 'from a' }).select().single();
    expect(insA.error).toBeNull();
    expect(insA.data).toMatchObject({ owner: a.user.id, note: 'from a' });
    expect((await b.client.from(table).insert({ note: 'from b' })).error).toBeNull();

    const forged = await a.client.from(table).insert({ note: 'as b', owner: b.user.id });
    expect(forged.error?.code).toBe('42501');

    const readA = await a.client.from(table).select('owner, note');
    expect(readA.data).toEqual([{ owner: a.user.id, note: 'from a' }]);

    // After sign-in with the password (not the sign-up session), the new token works the same way.
    const again = client();
    await again.auth.signInWithPassword({ email: b.email, password: b.password });
    expect((await again.from(table).select('note')).data).toEqual([{ note: 'from b' }]);

    await again.auth.signOut({ scope: 'local' });
    const anon = await again.from(table).select('note');
    expect(anon.data ?? []).toEqual([]);
  });
});
