-- Faster detect-anomalies inputs and fewer wake-ups:
--   * anomaly_inputs reads each host's recent samples once (not once per rule), unpivots the metrics
--     rules ask for, and joins baselines set-wise, so its cost grows linearly with hosts × rules;
--   * the outbox trigger wakes the dispatcher only when a statement really inserted rows (an alert
--     event for a rule without channels inserts none, yet statement triggers still fire).

create or replace function public.anomaly_inputs(p_at timestamptz default now())
returns jsonb
language sql stable security definer set search_path = ''
as $$
  with pairs as (
    select r.id as rule_id, h.id as host_id, h.team_id, r.metric, r.sensitivity, r.threshold,
      extract(epoch from r.anomaly_window)::integer as window_s, extract(epoch from r.recovery_window)::integer as recovery_s,
      p_at - greatest(r.anomaly_window, r.recovery_window) as since, coalesce(st.status, 'ok') as status
    from public.alert_rules r
    join public.hosts h on private.rule_covers_host(r, h)
    left join public.alert_states st on st.rule_id = r.id and st.host_id = h.id
    where r.enabled and r.kind = 'anomaly'
  ),
  wanted as (
    select p.host_id, min(p.since) as since from pairs p group by p.host_id
  ),
  -- Windows are at most one hour (alert_rules_anomaly_window_range), which bounds the partitions read.
  samples as materialized (
    select s.host_id, extract(epoch from s.ts)::float8 as t, s.ts,
      s.cpu_total::float8 as cpu_total, s.cpu_iowait::float8 as cpu_iowait, s.load_1::float8 as load_1,
      s.mem_percent::float8 as mem_percent, s.swap_percent::float8 as swap_percent, s.disk_percent::float8 as disk_percent,
      s.disk_read_bps, s.disk_write_bps, s.net_rx_bps, s.net_tx_bps, s.net_connections::float8 as net_connections,
      s.temp_c::float8 as temp_c
    from wanted w
    join public.host_samples s on s.host_id = w.host_id and s.ts > w.since and s.ts <= p_at
    where s.ts > p_at - interval '1 hour'
  ),
  points as (
    select p.rule_id, p.host_id,
      jsonb_agg(jsonb_build_array(x.t, x.value) order by x.t) filter (where x.value is not null) as points
    from pairs p
    join lateral (
      select s.t, case p.metric
        when 'cpu_total' then s.cpu_total when 'cpu_iowait' then s.cpu_iowait when 'load_1' then s.load_1
        when 'mem_percent' then s.mem_percent when 'swap_percent' then s.swap_percent when 'disk_percent' then s.disk_percent
        when 'disk_read_bps' then s.disk_read_bps when 'disk_write_bps' then s.disk_write_bps
        when 'net_rx_bps' then s.net_rx_bps when 'net_tx_bps' then s.net_tx_bps
        when 'net_connections' then s.net_connections when 'temp_c' then s.temp_c end as value
      from samples s where s.host_id = p.host_id and s.ts > p.since
    ) x on true
    group by p.rule_id, p.host_id
  ),
  baselines as (
    select b.host_id, b.metric,
      jsonb_object_agg(b.hour_of_week::text, jsonb_build_array(b.expected, b.band, b.samples)) as baselines
    from public.anomaly_baselines b
    join (select distinct host_id, metric from pairs) pm on pm.host_id = b.host_id and pm.metric = b.metric
    where b.hour_of_week in (private.hour_of_week(p_at), private.hour_of_week(p_at - interval '1 hour'))
    group by b.host_id, b.metric
  )
  select coalesce(jsonb_agg(jsonb_build_object(
    'rule_id', p.rule_id, 'host_id', p.host_id, 'team_id', p.team_id, 'metric', p.metric, 'sensitivity', p.sensitivity,
    'threshold', p.threshold, 'window_s', p.window_s, 'recovery_s', p.recovery_s, 'status', p.status,
    'baselines', coalesce(b.baselines, '{}'), 'points', coalesce(pt.points, '[]')
  )), '[]')
  from pairs p
  left join points pt on pt.rule_id = p.rule_id and pt.host_id = p.host_id
  left join baselines b on b.host_id = p.host_id and b.metric = p.metric
$$;

drop trigger notifications_dispatch_after_insert on public.notifications;

create or replace function private.on_notifications_inserted() returns trigger
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
