-- Notification dispatch: the dispatch-notifications edge function claims due outbox rows
-- (for update skip locked, so two dispatchers never take one row), sends them, and settles them:
-- sent, or retried with exponential backoff (30 s doubling up to 1 h), or failed after the last attempt.
-- It is invoked through pg_net right after new outbox rows commit, and every minute by pg_cron for retries.
--
-- A failed delivery tells team members why in one word; the detail stays with the team's admins:
-- notifications.last_error (readable by every member) is a reason class, unreachable | timeout |
-- http_error <status> | blocked | channel_config | channel_disabled | failed; the text the dispatcher
-- saw (the receiver's reply, the destination) goes to notification_error_details, readable by owners
-- and admins of the team only.

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

-- Claims up to p_limit due rows: pending rows whose next attempt is due, and rows stuck in 'sending'
-- whose lease ran out (a dispatcher that died mid-send). A claimed row is leased for p_lease_seconds.
create function public.claim_notifications(p_limit integer default 200, p_lease_seconds integer default 120)
returns table (
  notification_id bigint, team_id uuid, channel_id uuid, channel_kind text, channel_name text,
  channel_enabled boolean, config jsonb, attempts integer, event jsonb, host jsonb
)
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
begin
  if p_limit not between 1 and 1000 or p_lease_seconds not between 10 and 3600 then
    raise exception 'Cannot claim notifications: p_limit must be 1..1000 and p_lease_seconds 10..3600'
      using errcode = '22023';
  end if;
  return query
  with due as (
    select n.id from public.notifications n
    where n.status in ('pending', 'sending') and n.next_attempt_at <= now()
    order by n.next_attempt_at, n.id
    limit p_limit
    for update skip locked
  ),
  claimed as (
    update public.notifications n
    set status = 'sending', next_attempt_at = now() + make_interval(secs => p_lease_seconds)
    from due where n.id = due.id
    returning n.*
  )
  select c.id, c.team_id, c.channel_id, ch.kind, ch.name, ch.enabled, coalesce(cs.config, '{}'::jsonb), c.attempts,
    to_jsonb(e), jsonb_build_object('id', h.id, 'name', h.name, 'labels', h.labels)
  from claimed c
  join public.channels ch on ch.id = c.channel_id
  left join public.channel_secrets cs on cs.channel_id = c.channel_id
  join public.alert_events e on e.id = c.event_id
  left join public.hosts h on h.id = e.host_id
  order by c.channel_id, e.occurred_at, c.id;
end
$$;
comment on function public.claim_notifications(integer, integer) is
  'Dispatcher only: leases due outbox rows (skip locked) with their channel config, event and host.';

-- Settles claimed rows after a send: p_error null = sent; otherwise retried after
-- min(30 s * 2^(attempts-1), 1 h), or failed once p_max_attempts attempts were made (or p_permanent).
-- p_error is the reason class members see, p_error_detail the text admins see (notification_error_details,
-- cleared when a retry succeeds).
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

revoke all on function public.claim_notifications(integer, integer),
  public.settle_notifications(bigint[], text, integer, boolean, text) from public, anon, authenticated;
grant execute on function public.claim_notifications(integer, integer),
  public.settle_notifications(bigint[], text, integer, boolean, text) to service_role;

-- New outbox rows wake the dispatcher once per statement; pg_net sends the request after commit,
-- so the dispatcher always sees the rows.
-- Only when the statement really inserted rows: an alert event for a rule without channels inserts
-- none, yet statement triggers still fire.
create function private.on_notifications_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from new_rows) then
    perform private.invoke_edge_function('dispatch-notifications', '{"reason": "new"}');
  end if;
  return null;
end
$$;
create trigger notifications_dispatch_after_insert after insert on public.notifications
  referencing new table as new_rows
  for each statement execute function private.on_notifications_inserted();
revoke all on function private.on_notifications_inserted() from public, anon, authenticated;

-- Retries (and anything a lost wake-up left behind) every minute, only when something is due.
do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-dispatch-notifications', '* * * * *',
      $job$select private.invoke_edge_function('dispatch-notifications', '{"reason": "schedule"}')
           where exists (select 1 from public.notifications
                         where status in ('pending', 'sending') and next_attempt_at <= now())$job$);
  end if;
end
$$;
