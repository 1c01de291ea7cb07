-- The invitation flow (see …_create_team_invitations.sql for the rules and why):
--   create_invitation(team, email, role)  admins → id, one-time link token (shown once), expiry
--   my_invitations()                       the signed-in invitee's pending invitations, with team names
--   invitation_by_token(token)             what a link invites to (for the /invite/<token> page)
--   accept_invitation(id | token)          joins the team; decline_invitation(id | token)
--   revoke_invitation(id)                  admins (owners for owner invitations)
--   team_member_emails(team)               members with their email addresses, for members only
-- Refusals carry PostgREST's PTxxx codes, so the HTTP status says what happened (404 unknown, 403 wrong
-- account, 409 already a member, 410 used/expired/revoked/declined), and a stable reason in `details`.

-- The open invitation behind an id (addressed to the caller) or a link token, or a clear refusal.
create function private.invitation_for_caller(p_invitation_id uuid, p_token text, p_action text)
returns public.team_invitations
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_email text := (select private.verified_email());
  v_inv public.team_invitations;
begin
  if v_email is null then
    raise exception 'Cannot % the invitation: sign in with a confirmed email address first', p_action using errcode = '42501';
  end if;
  if (p_invitation_id is null) = (p_token is null) then
    raise exception 'Cannot % the invitation: pass either p_invitation_id or p_token (the link''s token), not both', p_action
      using errcode = '22023';
  end if;
  if p_token is not null then
    select * into v_inv from public.team_invitations i where i.token_hash = private.secret_token_hash(p_token);
  else
    select * into v_inv from public.team_invitations i where i.id = p_invitation_id and i.email = v_email;
  end if;
  if v_inv.id is null then
    raise exception 'Cannot % the invitation: no invitation to you matches this %', p_action,
      case when p_token is null then 'id' else 'link' end
      using errcode = 'PT404', detail = 'invitation_not_found', hint = 'Ask a team admin to invite your address again';
  end if;
  if v_inv.email <> v_email then
    raise exception 'Cannot % the invitation: it was sent to another email address; sign in with the address it was sent to', p_action
      using errcode = 'PT403', detail = 'invitation_wrong_account';
  end if;
  if v_inv.accepted_at is not null then
    raise exception 'Cannot % the invitation: it was already accepted on % (each invitation works once)', p_action, v_inv.accepted_at
      using errcode = 'PT410', detail = 'invitation_used';
  elsif v_inv.declined_at is not null then
    raise exception 'Cannot % the invitation: it was declined on %; ask a team admin for a new one', p_action, v_inv.declined_at
      using errcode = 'PT410', detail = 'invitation_declined';
  elsif v_inv.revoked_at is not null then
    raise exception 'Cannot % the invitation: a team admin revoked it on %', p_action, v_inv.revoked_at
      using errcode = 'PT410', detail = 'invitation_revoked';
  elsif v_inv.expires_at <= now() then
    raise exception 'Cannot % the invitation: it expired on %; ask a team admin for a new one', p_action, v_inv.expires_at
      using errcode = 'PT410', detail = 'invitation_expired';
  end if;
  -- An invitation carries its inviter's authority: it dies with that authority.
  if v_inv.invited_by is not null and not exists (
    select 1 from public.team_members m
    where m.team_id = v_inv.team_id and m.user_id = v_inv.invited_by
      and (m.role = 'owner' or (m.role = 'admin' and v_inv.role <> 'owner'))
  ) then
    raise exception 'Cannot % the invitation: the person who sent it no longer manages this team; ask a team admin for a new one', p_action
      using errcode = 'PT410', detail = 'invitation_revoked';
  end if;
  return v_inv;
end
$$;

create function public.create_invitation(
  p_team_id uuid, p_email text, p_role public.team_role default 'viewer', p_valid_for interval default interval '7 days'
)
returns table (invitation_id uuid, token text, expires_at timestamptz, mailed boolean)
language plpgsql security definer set search_path = ''
as $$
declare
  v_email text := lower(trim(coalesce(p_email, '')));
  v_service boolean := (select auth.role()) is not distinct from 'service_role';
  v_token text := private.new_secret_token('vibe_invite_');
  v_channel uuid;
begin
  if not v_service and not (p_team_id = any ((select private.admin_team_ids())::uuid[])) then
    raise exception 'Cannot invite: only owners and admins of team % can invite members', p_team_id using errcode = '42501';
  end if;
  if p_role is null then
    raise exception 'Cannot invite: choose a role (admin or viewer; owners may also invite owners)' using errcode = '22023';
  end if;
  if p_role = 'owner' and not v_service and not (p_team_id = any ((select private.owner_team_ids())::uuid[])) then
    raise exception 'Cannot invite an owner: only owners can make owners; invite as admin or viewer' using errcode = '42501';
  end if;
  if char_length(v_email) > 320 or v_email !~ '^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$' then
    raise exception 'Cannot invite: "%" is not an email address (expected name@example.com)', left(p_email, 100)
      using errcode = '22023';
  end if;
  if p_valid_for is null or p_valid_for < interval '1 hour' or p_valid_for > interval '30 days' then
    raise exception 'Cannot invite: validity must be between 1 hour and 30 days, got %', p_valid_for using errcode = '22023';
  end if;
  if exists (
    select 1 from public.team_members m join auth.users u on u.id = m.user_id
    where m.team_id = p_team_id and lower(u.email) = v_email
  ) then
    raise exception 'Cannot invite: % is already a member of this team', v_email
      using errcode = 'PT409', detail = 'already_member';
  end if;
  if (select count(*) from public.team_invitations i
      where i.team_id = p_team_id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null
        and i.expires_at > now()) >= 200 then
    raise exception 'Cannot invite: the team already has 200 pending invitations; revoke some first'
      using errcode = 'PT429', detail = 'too_many_invitations';
  end if;
  -- Inviting an address again replaces its open invitation: the old link stops working.
  update public.team_invitations i set revoked_at = now(), revoked_by = (select auth.uid())
  where i.team_id = p_team_id and i.email = v_email and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;

  insert into public.team_invitations (team_id, email, role, invited_by, token_hash, expires_at)
  values (p_team_id, v_email, p_role, (select auth.uid()), private.secret_token_hash(v_token), now() + p_valid_for)
  returning id, team_invitations.expires_at into invitation_id, expires_at;

  -- Mailed through the team's first enabled email channel, when there is one.
  select c.id into v_channel from public.channels c join public.channel_secrets s on s.channel_id = c.id
  where c.team_id = p_team_id and c.kind = 'email' and c.enabled order by c.created_at, c.id limit 1;
  mailed := v_channel is not null;
  if mailed then
    insert into private.invitation_mails (invitation_id, channel_id, link_token) values (invitation_id, v_channel, v_token);
    update public.team_invitations i set mail_status = 'queued' where i.id = invitation_id;
  end if;
  token := v_token;
  return next;
end
$$;
comment on function public.create_invitation(uuid, text, public.team_role, interval) is
  'Admins: invite an email address with a role (owners only for owner); returns the one-time link token, shown once.';

create function public.my_invitations()
returns table (id uuid, team_id uuid, team_name text, role public.team_role, invited_by_email text, created_at timestamptz, expires_at timestamptz)
language sql stable security definer set search_path = ''
as $$
  select i.id, i.team_id, t.name, i.role, u.email::text, i.created_at, i.expires_at
  from public.team_invitations i
  join public.teams t on t.id = i.team_id
  left join auth.users u on u.id = i.invited_by
  where i.email = (select private.verified_email())
    and i.accepted_at is null and i.declined_at is null and i.revoked_at is null and i.expires_at > now()
  order by i.created_at
$$;
comment on function public.my_invitations() is
  'The signed-in user''s pending invitations (to their confirmed address), with team names.';

create function public.invitation_by_token(p_token text)
returns table (id uuid, team_id uuid, team_name text, role public.team_role, invited_by_email text, email text, expires_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_inv public.team_invitations := private.invitation_for_caller(null, coalesce(p_token, ''), 'open');
begin
  return query
  select v_inv.id, v_inv.team_id, t.name, v_inv.role, u.email::text, v_inv.email, v_inv.expires_at
  from public.teams t left join auth.users u on u.id = v_inv.invited_by
  where t.id = v_inv.team_id;
end
$$;
comment on function public.invitation_by_token(text) is
  'What an invitation link invites to, for the invitee only; refuses used, expired, revoked and declined links.';

create function public.accept_invitation(p_invitation_id uuid default null, p_token text default null)
returns table (team_id uuid, team_name text, role public.team_role)
language plpgsql security definer set search_path = ''
as $$
declare
  v_inv public.team_invitations := private.invitation_for_caller(p_invitation_id, p_token, 'accept');
  v_user uuid := (select auth.uid());
begin
  if exists (select 1 from public.team_members m where m.team_id = v_inv.team_id and m.user_id = v_user) then
    raise exception 'Cannot accept the invitation: you are already a member of this team; decline it instead'
      using errcode = 'PT409', detail = 'already_member';
  end if;
  -- Conditional update: of two concurrent accepts of one invitation, exactly one gets the row.
  update public.team_invitations i set accepted_at = now(), accepted_by = v_user
  where i.id = v_inv.id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  if not found then
    raise exception 'Cannot accept the invitation: it was used a moment ago' using errcode = 'PT410', detail = 'invitation_used';
  end if;
  insert into public.team_members (team_id, user_id, role) values (v_inv.team_id, v_user, v_inv.role);
  update private.invitation_mails set status = 'cancelled', link_token = null where invitation_id = v_inv.id and status = 'pending';
  return query select t.id, t.name, v_inv.role from public.teams t where t.id = v_inv.team_id;
end
$$;
comment on function public.accept_invitation(uuid, text) is
  'The invitee joins the team with the invited role: by invitation id (from my_invitations) or by the link token.';

create function public.decline_invitation(p_invitation_id uuid default null, p_token text default null)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_inv public.team_invitations := private.invitation_for_caller(p_invitation_id, p_token, 'decline');
begin
  update public.team_invitations i set declined_at = now()
  where i.id = v_inv.id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  update private.invitation_mails set status = 'cancelled', link_token = null where invitation_id = v_inv.id and status = 'pending';
end
$$;
comment on function public.decline_invitation(uuid, text) is 'The invitee turns an invitation down (by id or link token).';

create function public.revoke_invitation(p_invitation_id uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_inv public.team_invitations;
begin
  select * into v_inv from public.team_invitations i
  where i.id = p_invitation_id and i.team_id = any ((select private.admin_team_ids())::uuid[]);
  if v_inv.id is null then
    raise exception 'Cannot revoke: no invitation % of a team you manage', p_invitation_id
      using errcode = 'PT404', detail = 'invitation_not_found';
  end if;
  if v_inv.role = 'owner' and not (v_inv.team_id = any ((select private.owner_team_ids())::uuid[])) then
    raise exception 'Cannot revoke an invitation to become owner: only owners can' using errcode = '42501';
  end if;
  update public.team_invitations i set revoked_at = now(), revoked_by = (select auth.uid())
  where i.id = v_inv.id and i.accepted_at is null and i.declined_at is null and i.revoked_at is null;
  if not found then
    raise exception 'Cannot revoke: the invitation was already %',
      case when v_inv.accepted_at is not null then 'accepted' when v_inv.declined_at is not null then 'declined' else 'revoked' end
      using errcode = 'PT409', detail = 'invitation_closed';
  end if;
  update private.invitation_mails set status = 'cancelled', link_token = null where invitation_id = v_inv.id and status = 'pending';
end
$$;
comment on function public.revoke_invitation(uuid) is 'Admins: withdraw a pending invitation (owners only for owner invitations); its link stops working.';

create function public.team_member_emails(p_team_id uuid)
returns table (user_id uuid, email text, role public.team_role, created_at timestamptz)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if not (p_team_id = any ((select private.member_team_ids())::uuid[]))
     and (select auth.role()) is distinct from 'service_role' then
    raise exception 'Cannot list members: you are not a member of team %', p_team_id using errcode = '42501';
  end if;
  return query
  select m.user_id, u.email::text, m.role, m.created_at
  from public.team_members m left join auth.users u on u.id = m.user_id
  where m.team_id = p_team_id
  order by m.created_at, u.email;
end
$$;
comment on function public.team_member_emails(uuid) is
  'Members of a team with their email addresses (auth.users is not exposed); members of that team only.';

-- The private helper runs only inside the definer functions above, as their owner.
revoke all on function private.invitation_for_caller(uuid, text, text) from public, anon, authenticated;
revoke all on function public.create_invitation(uuid, text, public.team_role, interval), public.my_invitations(),
  public.invitation_by_token(text), public.accept_invitation(uuid, text), public.decline_invitation(uuid, text),
  public.revoke_invitation(uuid), public.team_member_emails(uuid) from public, anon;
grant execute on function public.create_invitation(uuid, text, public.team_role, interval), public.my_invitations(),
  public.invitation_by_token(text), public.accept_invitation(uuid, text), public.decline_invitation(uuid, text),
  public.revoke_invitation(uuid), public.team_member_emails(uuid) to authenticated, service_role;
