-- What the local Auth server (/auth/v1) needs beyond the core auth tables in 00_platform.sql.
-- Idempotent: run on every stack start. Names and shapes follow GoTrue's own migrations.

-- The authentication methods a session was made with; the access token's `amr` claim is read from here.
create table if not exists auth.mfa_amr_claims (
  id uuid primary key default extensions.gen_random_uuid(),
  session_id uuid not null references auth.sessions (id) on delete cascade,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  authentication_method text not null,
  constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method)
);
alter table auth.mfa_amr_claims owner to supabase_auth_admin;

-- Lookups the Auth server makes on every request: a user's sessions and identities, a token's children.
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists users_instance_id_email_idx on auth.users (instance_id, lower(email));

-- A pending email change (PUT /user) waits here until /verify confirms it; GoTrue's columns and types.
alter table auth.users
  add column if not exists email_change_token_new varchar(255),
  add column if not exists email_change_token_current varchar(255) default '',
  add column if not exists email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  add column if not exists email_change_sent_at timestamptz;
