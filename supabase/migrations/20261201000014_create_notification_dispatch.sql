-- Notification dispatch: the dispatch-notifications edge function claims due outbox rows
-- (for update skip locked, so two dispatchers never take one row), sends them, and settles them:
-- sent, or retried with exponential backoff (30 s doubling up to 1 h), or failed after the last attempt.
-- It is invoked through pg_net right after new outbox rows commit, and every minute by pg_cron for retries.

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
create function public.settle_notifications(
  p_ids bigint[], p_error text default null, p_max_attempts integer default 8, p_permanent boolean default false
)
returns table (id bigint, status text, attempts integer, next_attempt_at timestamptz)
language plpgsql security definer set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
  update public.notifications n set
    attempts = n.attempts + 1,
    status = case
      when p_error is null then 'sent'
      when p_permanent or n.attempts + 1 >= greatest(p_max_attempts, 1) then 'failed'
      else 'pending' end,
    sent_at = case when p_error is null then now() else n.sent_at end,
    last_error = case when p_error is null then null else left(p_error, 2000) end,
    next_attempt_at = case
      when p_error is null or p_permanent or n.attempts + 1 >= greatest(p_max_attempts, 1) then n.next_attempt_at
      else now() + least(interval '30 seconds' * power(2, n.attempts), interval '1 hour') end
  where n.id = any (p_ids) and n.status = 'sending'
  returning n.id, n.status, n.attempts, n.next_attempt_at;
end
$$;
comment on function public.settle_notifications(bigint[], text, integer, boolean) is
  'Dispatcher only: marks claimed rows sent, or schedules a retry with backoff, or failed with the last error.';

revoke all on function public.claim_notifications(integer, integer), public.settle_notifications(bigint[], text, integer, boolean)
  from public, anon, authenticated;
grant execute on function public.claim_notifications(integer, integer), public.settle_notifications(bigint[], text, integer, boolean)
  to service_role;

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
revoke all on function private.on_notifications_inserted() from public;

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
