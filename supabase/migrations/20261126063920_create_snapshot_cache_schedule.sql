-- cache-snapshots keeps the latest snapshot per host and each team's server list in Upstash.
-- Ingest wakes it (debounced: at most one invocation per two seconds across all ingest
-- transactions, never waiting on a lock), and pg_cron runs it every minute as a safety net.
-- The function itself writes each host at most once per sample interval.

create table private.snapshot_cache_clock (
  id boolean primary key default true constraint snapshot_cache_clock_single_row check (id),
  invoked_at timestamptz not null default '-infinity'
);
comment on table private.snapshot_cache_clock is 'When ingest last woke cache-snapshots (debounce).';
insert into private.snapshot_cache_clock (id) values (true);
revoke all on private.snapshot_cache_clock from public, anon, authenticated, service_role;

create function private.on_host_latest_changed() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- skip locked: a concurrent ingest that holds the row will invoke; nobody waits on anybody.
  perform 1 from private.snapshot_cache_clock c
  where c.id and c.invoked_at <= now() - interval '2 seconds'
  for update skip locked;
  if found then
    update private.snapshot_cache_clock set invoked_at = now() where id;
    perform private.invoke_edge_function('cache-snapshots', '{"reason": "ingest"}');
  end if;
  return null;
end
$$;
create trigger host_latest_cache_after_insert after insert on public.host_latest
  for each statement execute function private.on_host_latest_changed();
create trigger host_latest_cache_after_update after update on public.host_latest
  for each statement execute function private.on_host_latest_changed();
revoke all on function private.on_host_latest_changed() from public;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-cache-snapshots', '* * * * *',
      $job$select private.invoke_edge_function('cache-snapshots', '{"reason": "schedule"}')$job$);
  end if;
end
$$;
