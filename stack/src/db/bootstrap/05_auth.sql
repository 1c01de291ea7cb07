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

-- Email flows (recover, magic link, OTP, confirmations, invites, reauthentication): GoTrue's columns.
alter table auth.users
  add column if not exists reauthentication_token varchar(255) default '',
  add column if not exists reauthentication_sent_at timestamptz;

-- PKCE: a flow started with a code_challenge (recover, otp, signup, resend) gets an auth code once its
-- email link is verified; POST /token?grant_type=pkce exchanges it with the code_verifier (GoTrue's table).
create table if not exists auth.flow_state (
  id uuid primary key,
  user_id uuid references auth.users (id) on delete cascade,
  auth_code text not null,
  code_challenge_method text not null check (code_challenge_method in ('s256', 'plain')),
  code_challenge text not null,
  provider_type text not null,
  provider_access_token text,
  provider_refresh_token text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  authentication_method text not null,
  auth_code_issued_at timestamptz
);
create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);
alter table auth.flow_state owner to supabase_auth_admin;

-- Multi-factor authentication (TOTP): GoTrue's tables; factor_type/status are GoTrue enums, text here.
create table if not exists auth.mfa_factors (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  friendly_name text,
  factor_type text not null check (factor_type in ('totp', 'webauthn', 'phone')),
  status text not null check (status in ('unverified', 'verified')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  secret text,
  phone text,
  last_challenged_at timestamptz unique
);
create unique index if not exists mfa_factors_user_friendly_name_unique on auth.mfa_factors (friendly_name, user_id)
  where trim(friendly_name) <> '';
create index if not exists factor_id_created_at_idx on auth.mfa_factors (user_id, created_at);
alter table auth.mfa_factors owner to supabase_auth_admin;

create table if not exists auth.mfa_challenges (
  id uuid primary key,
  factor_id uuid not null references auth.mfa_factors (id) on delete cascade,
  created_at timestamptz not null,
  verified_at timestamptz,
  ip_address inet not null,
  otp_code text
);
alter table auth.mfa_challenges owner to supabase_auth_admin;

-- The factor a session was raised to aal2 with (GoTrue's sessions.factor_id).
alter table auth.sessions add column if not exists factor_id uuid;
