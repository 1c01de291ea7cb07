-- anomaly_inputs answers one JSON array instead of a row set: thousands of rule × host pairs pass
-- through the Data API whole (a row set would be cut at the API's max_rows).

drop function public.anomaly_inputs(timestamptz);

create function public.anomaly_inputs(p_at timestamptz default now())
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
    'rule_id', r.id, 'host_id', h.id, 'team_id', h.team_id, 'metric', r.metric, 'sensitivity', r.sensitivity,
    'threshold', r.threshold, 'window_s', extract(epoch from r.anomaly_window)::integer,
    'recovery_s', extract(epoch from r.recovery_window)::integer, 'status', coalesce(st.status, 'ok'),
    'baselines', coalesce((
      select jsonb_object_agg(b.hour_of_week::text, jsonb_build_array(b.expected, b.band, b.samples))
      from public.anomaly_baselines b
      where b.host_id = h.id and b.metric = r.metric
        and b.hour_of_week in (private.hour_of_week(p_at), private.hour_of_week(p_at - interval '1 hour'))
    ), '{}'),
    'points', coalesce((
      select jsonb_agg(jsonb_build_array(extract(epoch from s.ts)::float8, v.value) order by s.ts)
      from public.host_samples s
      cross join lateral (select private.sample_metric(s, r.metric) as value) v
      where s.host_id = h.id and s.ts <= p_at and s.ts > p_at - greatest(r.anomaly_window, r.recovery_window)
        and v.value is not null
    ), '[]')
  )), '[]')
  from public.alert_rules r
  join public.hosts h on private.rule_covers_host(r, h)
  left join public.alert_states st on st.rule_id = r.id and st.host_id = h.id
  where r.enabled and r.kind = 'anomaly'
$$;
comment on function public.anomaly_inputs(timestamptz) is
  'detect-anomalies only: [{rule_id, host_id, team_id, metric, sensitivity, threshold, window_s, recovery_s, status, baselines: {"<hour of week>": [expected, band, samples]}, points: [[epoch s, value]]}].';

revoke all on function public.anomaly_inputs(timestamptz) from public, anon, authenticated;
grant execute on function public.anomaly_inputs(timestamptz) to service_role;
