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
revoke all on function private.on_host_latest_changed() from public, anon, authenticated;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-cache-snapshots', '* * * * *',
      $job$select private.invoke_edge_function('cache-snapshots', '{"reason": "schedule"}')$job$);
  end if;
end
$$;

-- What cache-snapshots writes to Upstash, in one call: every team with a host sample newer than
-- p_since, with all its hosts (server list), each host's latest snapshot, the worst severity
-- firing on it, and the team's offline threshold. One JSON value, so no API row limit applies.

create function public.snapshot_cache_inputs(p_since timestamptz)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  with teams as (
    select distinct l.team_id from public.host_latest l where l.updated_at >= p_since
  )
  select coalesce(jsonb_agg(jsonb_build_object(
    'team_id', t.team_id,
    'offline_after_intervals', coalesce(ts.offline_after_intervals, 3),
    'hosts', (
      select coalesce(jsonb_agg(jsonb_build_object(
        'id', h.id, 'name', h.name, 'sample_interval_s', h.sample_interval_s, 'last_seen_at', h.last_seen_at,
        'fresh', l.updated_at >= p_since,
        'firing', (
          select case when bool_or(r.severity = 'critical') then 'critical' when count(*) > 0 then 'warning' end
          from public.alert_states s join public.alert_rules r on r.id = s.rule_id
          where s.host_id = h.id and s.status = 'firing'
        ),
        'latest', case when l.host_id is null then null else jsonb_build_object(
          'ts', l.ts, 'cpu_total', l.cpu_total, 'cpu_count', l.cpu_count, 'mem_total', l.mem_total, 'mem_used', l.mem_used,
          'disk_total', l.disk_total, 'disk_used', l.disk_used, 'net_rx_bps', l.net_rx_bps, 'net_tx_bps', l.net_tx_bps,
          'net_connections', l.net_connections, 'uptime_s', l.uptime_s) end
      ) order by h.name), '[]')
      from public.hosts h left join public.host_latest l on l.host_id = h.id
      where h.team_id = t.team_id
    )
  )), '[]')
  from teams t left join public.team_settings ts on ts.team_id = t.team_id
$$;
comment on function public.snapshot_cache_inputs(timestamptz) is
  'cache-snapshots only: teams with fresh samples, their hosts, latest snapshots and firing severity.';

revoke all on function public.snapshot_cache_inputs(timestamptz) from public, anon, authenticated;
grant execute on function public.snapshot_cache_inputs(timestamptz) to service_role;
