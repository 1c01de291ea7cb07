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
