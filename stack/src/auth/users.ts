/** Users and identities in `auth.users`/`auth.identities`, and their JSON as GoTrue's models.User serialises it. */
import { randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

/** The nil UUID GoTrue stores in `instance_id`. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** A user as the handlers need it: GoTrue's JSON plus the fields that decide what is allowed. */
export interface UserRecord {
  id: string;
  /** GoTrue's User JSON, key order and omitted-when-empty fields as GoTrue sends them. */
  json: Record<string, unknown>;
  email: string;
  phone: string;
  role: string;
  aud: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  isAnonymous: boolean;
  hasPassword: boolean;
  emailConfirmed: boolean;
  banned: boolean;
  /** The user has a verified MFA factor (GoTrue's HasMFAEnabled): sign-in then needs aal2 for sensitive changes. */
  hasVerifiedFactor: boolean;
}

const iso = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

// json_build_object keeps key order (jsonb would sort it); empty optional fields are dropped in TS.
const USER_SELECT = `
  select u.id, coalesce(u.email, '') as email, coalesce(u.phone, '') as phone, coalesce(u.role, '') as role,
    coalesce(u.aud, '') as aud, u.raw_app_meta_data, u.raw_user_meta_data, u.is_anonymous,
    coalesce(u.encrypted_password, '') <> '' as has_password,
    u.email_confirmed_at is not null as email_confirmed,
    coalesce(u.banned_until > now(), false) as banned,
    exists (select 1 from auth.mfa_factors f where f.user_id = u.id and f.status = 'verified') as has_verified_factor,
    json_build_object(
      'id', u.id, 'aud', coalesce(u.aud, ''), 'role', coalesce(u.role, ''), 'email', coalesce(u.email, ''),
      'email_confirmed_at', ${iso('u.email_confirmed_at')}, 'invited_at', ${iso('u.invited_at')},
      'phone', coalesce(u.phone, ''), 'phone_confirmed_at', ${iso('u.phone_confirmed_at')},
      'confirmation_sent_at', ${iso('u.confirmation_sent_at')}, 'confirmed_at', ${iso('u.confirmed_at')},
      'recovery_sent_at', ${iso('u.recovery_sent_at')}, 'new_email', nullif(u.email_change, ''),
      'email_change_sent_at', ${iso('u.email_change_sent_at')},
      'reauthentication_sent_at', ${iso('u.reauthentication_sent_at')},
      'last_sign_in_at', ${iso('u.last_sign_in_at')},
      'app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data,
      'factors', (
        select json_agg(json_build_object(
          'id', f.id, 'friendly_name', f.friendly_name, 'factor_type', f.factor_type, 'status', f.status,
          'created_at', ${iso('f.created_at')}, 'updated_at', ${iso('f.updated_at')},
          'last_challenged_at', ${iso('f.last_challenged_at')}
        ) order by f.created_at, f.id)
        from auth.mfa_factors f where f.user_id = u.id
      ),
      'identities', coalesce((
        select json_agg(json_build_object(
          'identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id, 'identity_data', i.identity_data,
          'provider', i.provider, 'last_sign_in_at', ${iso('i.last_sign_in_at')},
          'created_at', ${iso('i.created_at')}, 'updated_at', ${iso('i.updated_at')}, 'email', i.email
        ) order by i.created_at, i.id)
        from auth.identities i where i.user_id = u.id
      ), '[]'::json),
      'created_at', ${iso('u.created_at')}, 'updated_at', ${iso('u.updated_at')},
      'banned_until', ${iso('u.banned_until')}, 'deleted_at', ${iso('u.deleted_at')},
      'is_anonymous', u.is_anonymous
    ) as json
  from auth.users u`;

// GoTrue's `omitempty` fields: absent from the JSON when unset.
const OMIT_WHEN_EMPTY = new Set([
  'email_confirmed_at',
  'invited_at',
  'phone_confirmed_at',
  'confirmation_sent_at',
  'confirmed_at',
  'recovery_sent_at',
  'new_email',
  'email_change_sent_at',
  'reauthentication_sent_at',
  'last_sign_in_at',
  'factors',
  'banned_until',
  'deleted_at',
]);
const OMIT_IDENTITY_WHEN_EMPTY = new Set(['last_sign_in_at', 'email']);
const OMIT_FACTOR_WHEN_EMPTY = new Set(['friendly_name']);

function dropEmpty(obj: Record<string, unknown>, keys: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k, v]) => !(keys.has(k) && (v === null || v === ''))));
}

interface UserRow {
  id: string;
  email: string;
  phone: string;
  role: string;
  aud: string;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
  is_anonymous: boolean;
  has_password: boolean;
  email_confirmed: boolean;
  banned: boolean;
  has_verified_factor: boolean;
  json: Record<string, unknown> & { identities: Record<string, unknown>[] };
}

function toRecord(row: UserRow): UserRecord {
  const json = dropEmpty(row.json, OMIT_WHEN_EMPTY);
  json.identities = row.json.identities.map((i) => dropEmpty(i, OMIT_IDENTITY_WHEN_EMPTY));
  if (Array.isArray(json.factors))
    json.factors = (json.factors as Record<string, unknown>[]).map((f) => dropEmpty(f, OMIT_FACTOR_WHEN_EMPTY));
  return {
    id: row.id,
    json,
    email: row.email,
    phone: row.phone,
    role: row.role,
    aud: row.aud,
    appMetadata: row.raw_app_meta_data,
    userMetadata: row.raw_user_meta_data,
    isAnonymous: row.is_anonymous,
    hasPassword: row.has_password,
    emailConfirmed: row.email_confirmed,
    banned: row.banned,
    hasVerifiedFactor: row.has_verified_factor,
  };
}

/** The user with this id, or null. */
export async function findUserById(db: Db, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`${USER_SELECT} where u.id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** The (non-SSO) user with this email in the audience, or null; emails compare case-insensitively. */
export async function findUserByEmail(db: Db, email: string, aud: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `${USER_SELECT} where lower(u.email) = lower($1) and u.aud = $2 and u.is_sso_user = false`,
    [email, aud],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** One page of the audience's users, newest first, with the total count (GoTrue's FindUsersInAudience). */
export async function listUsers(
  db: Db,
  aud: string,
  page: number,
  perPage: number,
  filter: string,
): Promise<{ users: UserRecord[]; total: number }> {
  const where = `where u.aud = $1::text and ($2::text = '' or u.email like '%' || $2::text || '%' or u.raw_user_meta_data ->> 'full_name' ilike '%' || $2::text || '%')`;
  const [list, count] = await Promise.all([
    db.query<UserRow>(`${USER_SELECT} ${where} order by u.created_at desc, u.id limit $3 offset $4`, [
      aud,
      filter,
      perPage,
      (page - 1) * perPage,
    ]),
    db.query<{ n: string }>(`select count(*) as n from auth.users u ${where}`, [aud, filter]),
  ]);
  return { users: list.rows.map(toRecord), total: Number(count.rows[0]!.n) };
}

/** What a new user is made of. */
export interface NewUser {
  id?: string;
  email: string;
  /** Plain text; hashed with bcrypt (cost 10) by pgcrypto. Null: no password (invited and magic-link users). */
  password: string | null;
  aud: string;
  role: string;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  confirmed: boolean;
  /** Extra keys copied into the email identity's `identity_data` (signup copies `data`). */
  identityExtra?: Record<string, unknown>;
}

/** Inserts the user and its email identity; a duplicate email raises Postgres 23505. */
export async function insertUser(db: Db, u: NewUser): Promise<string> {
  const userMetadata = u.confirmed ? { ...u.userMetadata, email_verified: true } : u.userMetadata;
  const { rows } = await db.query<{ id: string }>(
    `insert into auth.users (id, instance_id, aud, role, email, encrypted_password, email_confirmed_at,
       raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_sso_user, is_anonymous)
     values (coalesce($1::uuid, extensions.gen_random_uuid()), $2, $3, $4, $5,
       case when $6::text is null then '' else extensions.crypt($6, extensions.gen_salt('bf', 10)) end, case when $7 then now() end,
       $8, $9, now(), now(), false, false)
     returning id`,
    [u.id ?? null, NIL_UUID, u.aud, u.role, u.email, u.password, u.confirmed, u.appMetadata, userMetadata],
  );
  const id = rows[0]!.id;
  const identityData = {
    ...(u.identityExtra ?? {}),
    sub: id,
    email: u.email,
    email_verified: false,
    phone_verified: false,
  };
  await db.query(
    `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values ($1::text, $1::uuid, $2, 'email', now(), now(), now())`,
    [id, identityData],
  );
  return id;
}

/** True when the password matches the stored bcrypt hash (checked by pgcrypto, compatible with GoTrue's hashes). */
export async function passwordMatches(db: Db, userId: string, password: string): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `select case when encrypted_password ~ '^\\$2[abxy]\\$' then encrypted_password = extensions.crypt($2, encrypted_password) else false end as ok
     from auth.users where id = $1`,
    [userId, password],
  );
  return rows[0]?.ok === true;
}

/** Stores a new bcrypt hash of the password. */
export async function setPassword(db: Db, userId: string, password: string): Promise<void> {
  await db.query(
    `update auth.users set encrypted_password = extensions.crypt($2, extensions.gen_salt('bf', 10)), updated_at = now() where id = $1`,
    [userId, password],
  );
}

/** A password nobody knows, for users created without one (GoTrue does the same). */
export function randomPassword(): string {
  return randomBytes(36).toString('base64url').slice(0, 64);
}

/**
 * Merges `patch` into the user's user or app metadata as GoTrue does: top-level keys replace,
 * a key set to null is removed.
 */
export async function mergeMetadata(
  db: Db,
  userId: string,
  column: 'raw_user_meta_data' | 'raw_app_meta_data',
  patch: Record<string, unknown>,
): Promise<void> {
  const removed = Object.keys(patch).filter((k) => patch[k] === null);
  const kept = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null));
  await db.query(
    `update auth.users set ${column} = (coalesce(${column}, '{}'::jsonb) || $2::jsonb) - $3::text[], updated_at = now() where id = $1`,
    [userId, kept, removed],
  );
}

/** Changes the user's email (confirmed when `confirmed`) and the email identity with it. */
export async function setEmail(db: Db, userId: string, email: string, confirmed: boolean): Promise<void> {
  await db.query(
    `update auth.users set email = $2, email_change = '', email_confirmed_at = case when $3 then coalesce(email_confirmed_at, now()) else email_confirmed_at end,
       updated_at = now() where id = $1`,
    [userId, email, confirmed],
  );
  const { rowCount } = await db.query(
    `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text), updated_at = now()
     where user_id = $1 and provider = 'email'`,
    [userId, email],
  );
  if (!rowCount) {
    await db.query(
      `insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values ($1::text, $1::uuid, jsonb_build_object('sub', $1::text, 'email', $2::text, 'email_verified', false, 'phone_verified', false), 'email', now(), now(), now())`,
      [userId, email],
    );
  }
}

/** Marks the email confirmed (`email_confirm` of the admin API), adding `email_verified` to user_metadata as GoTrue's Confirm does. */
export async function confirmEmail(db: Db, userId: string): Promise<void> {
  await db.query(
    `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()),
       raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb, updated_at = now()
     where id = $1`,
    [userId],
  );
}

/** Bans the user for `ms` milliseconds from now; 0 lifts the ban. */
export async function setBan(db: Db, userId: string, ms: number): Promise<void> {
  await db.query(
    `update auth.users set banned_until = case when $2::float8 = 0 then null else now() + make_interval(secs => $2::float8 / 1000) end, updated_at = now() where id = $1`,
    [userId, ms],
  );
}
