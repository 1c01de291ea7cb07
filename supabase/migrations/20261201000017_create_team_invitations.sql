-- Membership only by consent: a team admin invites an email address with a role; the person signed in
-- with that (confirmed) address accepts or declines. Nobody can put another user into a team: the API
-- roles cannot insert into team_members and may update only its role column (…_create_teams.sql).
-- Rows are added only by accept_invitation (next file) and by the team-creation trigger (the creator
-- becomes owner); both run as the table owner.
--
-- Link tokens: one-time, 7 days by default, made and hashed (sha256) by the helpers enrollment tokens
-- use (private.new_secret_token, private.secret_token_hash in …_create_hosts.sql). A token alone does
-- NOT grant membership: the signed-in user must also hold the invited address. A bearer link (Slack
-- style) turns any leak of the link (forwarded mail, chat, proxy logs, browser history) into team access
-- for whoever opens it; with the address check a leaked link is worth nothing to another account, and the
-- link stays what it is for: a shortcut to the invitation. The address is read from auth.users by
-- auth.uid() (not from the JWT's email claim, which stays stale for up to an hour after an email change)
-- and must be confirmed; agents never match.

-- The invitee ------------------------------------------------------------------------------------

create function private.verified_email() returns text
language sql stable security definer set search_path = ''
as $$
  select lower(u.email) from auth.users u
  where u.id = (select auth.uid()) and u.email_confirmed_at is not null and not (select private.is_agent())
$$;
comment on function private.verified_email() is
  'The requesting user''s confirmed email address, lower-case; null for agents, anon and unconfirmed addresses.';

-- The invitee policy below runs it as the caller; anon has no policy that needs it.
revoke all on function private.verified_email() from public, anon;
grant execute on function private.verified_email() to authenticated, service_role;

-- Invitations ---------------------------------------------------------------------------------

create table public.team_invitations (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  email text not null constraint team_invitations_email_format
    check (char_length(email) <= 320 and email = lower(email) and email ~ '^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$'),
  role public.team_role not null default 'viewer',
  invited_by uuid references auth.users (id) on delete set null,
  -- sha256 of the link token, hex; the token itself is shown once (and mailed) and never stored here.
  token_hash text not null unique constraint team_invitations_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  declined_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references auth.users (id) on delete set null,
  -- Whether the invitation was mailed through the team's email channel: null (no channel), queued, sent, failed.
  mail_status text constraint team_invitations_mail_status_known check (mail_status in ('queued', 'sent', 'failed')),
  mail_error text constraint team_invitations_mail_error_length check (char_length(mail_error) <= 2000),
  constraint team_invitations_one_outcome check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)
);
comment on table public.team_invitations is
  'Invitations to join a team by email address with a role; pending until accepted, declined, revoked or expired.';
create index team_invitations_team_id_idx on public.team_invitations (team_id);
create index team_invitations_email_idx on public.team_invitations (email);

-- The invitation mail outbox: the raw link token must reach the mailer, so it waits here, in the
-- unexposed private schema with no grants to any API role, and is wiped once the mail is settled.
create table private.invitation_mails (
  id bigint generated always as identity primary key,
  invitation_id uuid not null unique references public.team_invitations (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  link_token text,
  status text not null default 'pending'
    constraint invitation_mails_status_known check (status in ('pending', 'sending', 'sent', 'failed', 'cancelled')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text constraint invitation_mails_last_error_length check (char_length(last_error) <= 2000),
  sent_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table private.invitation_mails is
  'Outbox of invitation emails; holds the raw link token only until the mail is sent, failed or cancelled.';
create index invitation_mails_due_idx on private.invitation_mails (next_attempt_at) where status in ('pending', 'sending');
create index invitation_mails_channel_id_idx on private.invitation_mails (channel_id);
alter table private.invitation_mails enable row level security;
revoke all on private.invitation_mails from public, anon, authenticated, service_role;

-- RLS -----------------------------------------------------------------------------------------
alter table public.team_invitations enable row level security;

create policy "Admins can read their team's invitations" on public.team_invitations
  for select to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Invitees can read invitations sent to their address" on public.team_invitations
  for select to authenticated using (email = (select private.verified_email()));
-- Only owners may revoke or remove an invitation to become owner, as only they may add owners.
create policy "Admins can remove their team's invitations" on public.team_invitations
  for delete to authenticated using (
    team_id = any ((select private.admin_team_ids())::uuid[])
    and (role <> 'owner' or team_id = any ((select private.owner_team_ids())::uuid[]))
  );

-- Invitations are created, accepted, declined and revoked through the functions in the next file only.
grant select, delete on public.team_invitations to authenticated;
grant all on public.team_invitations to service_role;
