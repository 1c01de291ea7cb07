-- A failed delivery tells team members why in one word; the detail stays with the team's admins.
-- notifications.last_error is readable by every member, and it held the receiver's reply and, for
-- unreachable destinations, the destination itself (internal host names, tokens in error pages).
-- Now last_error is a reason class: unreachable | timeout | http_error <status> | blocked |
-- channel_config | channel_disabled | failed; the text the dispatcher saw goes to
-- notification_error_details, readable by owners and admins of the team only.

create table public.notification_error_details (
  notification_id bigint primary key references public.notifications (id) on delete cascade,
  team_id uuid not null references public.teams (id) on delete cascade,
  detail text not null constraint notification_error_details_detail_length check (char_length(detail) <= 2000),
  recorded_at timestamptz not null default now()
);
comment on table public.notification_error_details is
  'Admins only: the last delivery error of a notification as the dispatcher saw it (destination, receiver reply).';
create index notification_error_details_team_id_idx on public.notification_error_details (team_id);

alter table public.notification_error_details enable row level security;
create policy "Admins can read their team's notification error details" on public.notification_error_details
  for select to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));
grant select on public.notification_error_details to authenticated;
grant all on public.notification_error_details to service_role;

-- Rows failed before this migration: keep their text for admins, leave members the class.
insert into public.notification_error_details (notification_id, team_id, detail)
select n.id, n.team_id, n.last_error from public.notifications n where n.last_error is not null;
update public.notifications set last_error = case
    when last_error ~ ' answered HTTP [0-9]{3}' then 'http_error ' || substring(last_error from ' answered HTTP ([0-9]{3})')
    when last_error ~ '^Cannot reach ' then 'unreachable'
    when last_error ~ ' is blocked: |must use https|is not a valid URL|must not carry credentials' then 'blocked'
    when last_error ~ '^Channel ".*" is disabled' then 'channel_disabled'
    when last_error ~ '^Channel (secrets|kind)' then 'channel_config'
    else 'failed' end
where last_error is not null;
alter table public.notifications add constraint notifications_last_error_is_a_class
  check (last_error ~ '^(unreachable|timeout|blocked|channel_config|channel_disabled|failed|http_error [1-5][0-9]{2})$');
comment on column public.notifications.last_error is
  'Why the last attempt failed, as a class (unreachable, timeout, http_error <status>, blocked, channel_config, channel_disabled, failed); the detail is in notification_error_details (admins).';

-- settle_notifications gains the detail; p_error is now the class.
drop function public.settle_notifications(bigint[], text, integer, boolean);
create function public.settle_notifications(
  p_ids bigint[], p_error text default null, p_max_attempts integer default 8, p_permanent boolean default false,
  p_error_detail text default null
)
returns table (id bigint, status text, attempts integer, next_attempt_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
declare
  v_reason text := p_error;
  v_detail text := p_error_detail;
begin
  -- Free text in p_error (a dispatcher deployed before this migration, between db push and functions
  -- deploy) goes to the admins' detail; members see "failed".
  if v_reason is not null and v_reason !~ '^(unreachable|timeout|blocked|channel_config|channel_disabled|failed|http_error [1-5][0-9]{2})$' then
    v_detail := coalesce(nullif(v_detail, ''), v_reason);
    v_reason := 'failed';
  end if;
  return query
  with settled as (
    update public.notifications n set
      attempts = n.attempts + 1,
      status = case
        when v_reason is null then 'sent'
        when p_permanent or n.attempts + 1 >= greatest(p_max_attempts, 1) then 'failed'
        else 'pending' end,
      sent_at = case when v_reason is null then now() else n.sent_at end,
      last_error = v_reason,
      next_attempt_at = case
        when v_reason is null or p_permanent or n.attempts + 1 >= greatest(p_max_attempts, 1) then n.next_attempt_at
        else now() + least(interval '30 seconds' * power(2, n.attempts), interval '1 hour') end
    where n.id = any (p_ids) and n.status = 'sending'
    returning n.id, n.team_id, n.status, n.attempts, n.next_attempt_at
  ),
  detailed as (
    insert into public.notification_error_details as d (notification_id, team_id, detail, recorded_at)
    select s.id, s.team_id, left(coalesce(nullif(v_detail, ''), v_reason), 2000), now()
    from settled s where v_reason is not null
    on conflict (notification_id) do update set detail = excluded.detail, recorded_at = excluded.recorded_at
  ),
  cleared as (
    delete from public.notification_error_details d using settled s where v_reason is null and d.notification_id = s.id
  )
  select s.id, s.status, s.attempts, s.next_attempt_at from settled s;
end
$$;
comment on function public.settle_notifications(bigint[], text, integer, boolean, text) is
  'Dispatcher only: marks claimed rows sent, or schedules a retry with backoff, or failed; p_error is the reason class members see, p_error_detail the text admins see.';
revoke all on function public.settle_notifications(bigint[], text, integer, boolean, text) from public, anon, authenticated;
grant execute on function public.settle_notifications(bigint[], text, integer, boolean, text) to service_role;
