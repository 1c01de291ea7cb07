-- Anomaly rules: an alert_rules row with kind = 'anomaly' watches one rolled-up host metric against
-- its robust baseline (median ± k·MAD per hour of week, or a rolling 24 h when less than three
-- weeks of history exist). The detect-anomalies edge function runs every minute: it refreshes
-- stale baselines (hourly) with refresh_anomaly_baselines, reads each rule × host window with
-- anomaly_inputs, decides in TypeScript (supabase/functions/detect-anomalies/evaluate.ts), and writes state
-- changes with apply_anomaly_results through the same alert_states, alert_events and outbox.
-- For an anomaly rule, threshold is the anomalous share of the trigger window that fires it (0–1].

alter table public.alert_rules
  add column kind text not null default 'threshold' constraint alert_rules_kind_known check (kind in ('threshold', 'anomaly')),
  add column sensitivity text not null default 'medium'
    constraint alert_rules_sensitivity_known check (sensitivity in ('low', 'medium', 'high')),
  add column anomaly_window interval not null default interval '5 minutes'
    constraint alert_rules_anomaly_window_range check (anomaly_window between interval '1 minute' and interval '1 hour'),
  add column recovery_window interval not null default interval '5 minutes'
    constraint alert_rules_recovery_window_range check (recovery_window between interval '1 minute' and interval '1 hour'),
  add constraint alert_rules_anomaly_shape check (
    kind <> 'anomaly' or (
      threshold > 0 and threshold <= 1
      and metric in ('cpu_total', 'cpu_iowait', 'load_1', 'mem_percent', 'swap_percent', 'disk_percent',
        'disk_read_bps', 'disk_write_bps', 'net_rx_bps', 'net_tx_bps', 'net_connections', 'temp_c')
    )
  );
comment on column public.alert_rules.kind is
  'threshold: metric compared with threshold in SQL at ingest; anomaly: metric outside its baseline band for threshold (share 0–1) of anomaly_window.';
comment on column public.alert_rules.sensitivity is 'Anomaly rules: band half-width k·MAD with k = 5 (low), 3.5 (medium), 2.5 (high).';

alter table public.alert_events
  add column expected double precision,
  add column band_low double precision,
  add column band_high double precision,
  add column score double precision;
comment on column public.alert_events.score is 'Anomaly events: robust z-score |value − expected| / (1.4826·MAD) of the most anomalous point.';

-- Threshold evaluation at ingest must skip anomaly rules: same function as before plus r.kind = 'threshold'.
create or replace function private.evaluate_rules(p_snapshots jsonb)
returns setof public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  c record;
  v_step record;
  v_event public.alert_events;
begin
  for c in
    select r as rule, s.host_id, s.ts, s.value, st.status, st.pending_since, st.recovering_since, st.evaluated_at
    from (
      select (e ->> 'host_id')::uuid as host_id, (e ->> 'ts')::timestamptz as ts, e as snap
      from jsonb_array_elements(p_snapshots) e
    ) snap
    join public.hosts h on h.id = snap.host_id
    join public.alert_rules r on r.team_id = h.team_id and r.enabled and r.kind = 'threshold'
      and (r.scope = 'all'
        or (r.scope = 'host' and r.scope_host_id = h.id)
        or (r.scope = 'label' and h.labels ? r.scope_label_key
            and (r.scope_label_value is null or h.labels ->> r.scope_label_key = r.scope_label_value)))
    cross join lateral (select snap.host_id, snap.ts, (snap.snap ->> r.metric)::double precision as value) s
    left join public.alert_states st on st.rule_id = r.id and st.host_id = snap.host_id
    where s.value is not null and (st.evaluated_at is null or st.evaluated_at <= snap.ts)
    order by r.id, snap.host_id
  loop
    v_step := private.alert_step(c.status, c.pending_since, c.recovering_since, (c.rule).operator, (c.rule).threshold,
      (c.rule).recovery_threshold, (c.rule).for_duration, (c.rule).keep_firing_for, c.value, c.ts);
    insert into public.alert_states as a (rule_id, host_id, team_id, status, value, since, pending_since, recovering_since, evaluated_at)
    values ((c.rule).id, c.host_id, (c.rule).team_id, v_step.status, c.value, c.ts, v_step.pending_since,
      v_step.recovering_since, c.ts)
    on conflict (rule_id, host_id) do update set
      status = excluded.status,
      value = excluded.value,
      since = case when a.status = excluded.status then a.since else excluded.since end,
      pending_since = excluded.pending_since,
      recovering_since = excluded.recovering_since,
      evaluated_at = excluded.evaluated_at;
    if v_step.event is not null then
      v_event := private.record_alert_event(c.rule, c.host_id, v_step.event, coalesce(c.status, 'ok'), v_step.status,
        c.value, c.ts);
      return next v_event;
    end if;
  end loop;
end
$$;

-- Hour of the week in UTC: 0 = Monday 00:00 … 167 = Sunday 23:00.
create function private.hour_of_week(p_ts timestamptz) returns smallint
language sql immutable set search_path = ''
as $$
  select ((extract(isodow from p_ts at time zone 'UTC')::integer - 1) * 24
    + extract(hour from p_ts at time zone 'UTC')::integer)::smallint
$$;

-- Whether a rule's scope covers a host (the same rule as threshold evaluation).
create function private.rule_covers_host(p_rule public.alert_rules, p_host public.hosts) returns boolean
language sql immutable set search_path = ''
as $$
  select p_rule.team_id = p_host.team_id and (p_rule.scope = 'all'
    or (p_rule.scope = 'host' and p_rule.scope_host_id = p_host.id)
    or (p_rule.scope = 'label' and p_host.labels ? p_rule.scope_label_key
        and (p_rule.scope_label_value is null or p_host.labels ->> p_rule.scope_label_key = p_rule.scope_label_value)))
$$;

-- One metric of a raw sample or of a 1-minute rollup (its average), by name.
create function private.sample_metric(s public.host_samples, p_metric text) returns double precision
language sql immutable set search_path = ''
as $$
  select case p_metric
    when 'cpu_total' then s.cpu_total when 'cpu_iowait' then s.cpu_iowait when 'load_1' then s.load_1
    when 'mem_percent' then s.mem_percent when 'swap_percent' then s.swap_percent when 'disk_percent' then s.disk_percent
    when 'disk_read_bps' then s.disk_read_bps when 'disk_write_bps' then s.disk_write_bps
    when 'net_rx_bps' then s.net_rx_bps when 'net_tx_bps' then s.net_tx_bps
    when 'net_connections' then s.net_connections when 'temp_c' then s.temp_c end
$$;
create function private.rollup_metric(m public.host_samples_1m, p_metric text) returns double precision
language sql immutable set search_path = ''
as $$
  select case p_metric
    when 'cpu_total' then m.cpu_total_avg when 'cpu_iowait' then m.cpu_iowait_avg when 'load_1' then m.load_1_avg
    when 'mem_percent' then m.mem_percent_avg when 'swap_percent' then m.swap_percent_avg
    when 'disk_percent' then m.disk_percent_avg when 'disk_read_bps' then m.disk_read_bps_avg
    when 'disk_write_bps' then m.disk_write_bps_avg when 'net_rx_bps' then m.net_rx_bps_avg
    when 'net_tx_bps' then m.net_tx_bps_avg when 'net_connections' then m.net_connections_avg
    when 'temp_c' then m.temp_c_avg end
$$;

-- Recomputes the baseline of the current hour of week for every host × metric an enabled anomaly
-- rule covers whose row is missing or older than p_max_age: median and MAD (scaled by 1.4826) of the
-- 1-minute averages in that hour of the week over the last five weeks when the host has three weeks
-- of history, else of the last 24 hours. Returns the number of rows written.
create function public.refresh_anomaly_baselines(p_max_age interval default interval '1 hour', p_at timestamptz default now())
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_how smallint := private.hour_of_week(p_at);
  v_n integer;
begin
  with pairs as (
    select distinct h.id as host_id, h.team_id, r.metric
    from public.alert_rules r join public.hosts h on private.rule_covers_host(r, h)
    where r.enabled and r.kind = 'anomaly'
  ),
  stale as (
    select p.* from pairs p
    left join public.anomaly_baselines b on b.host_id = p.host_id and b.metric = p.metric and b.hour_of_week = v_how
    where b.host_id is null or b.updated_at < p_at - p_max_age
  ),
  spans as (
    select s.host_id,
      coalesce((select min(m.bucket) from public.host_samples_1m m where m.host_id = s.host_id) <= p_at - interval '21 days', false)
        as seasonal
    from (select distinct host_id from stale) s
  ),
  vals as materialized (
    select st.host_id, st.team_id, st.metric, private.rollup_metric(m, st.metric) as value
    from stale st
    join spans sp on sp.host_id = st.host_id
    join public.host_samples_1m m on m.host_id = st.host_id and m.bucket < p_at
      and m.bucket >= p_at - case when sp.seasonal then interval '35 days' else interval '24 hours' end
      and (not sp.seasonal or private.hour_of_week(m.bucket) = v_how)
  ),
  med as (
    select v.host_id, v.team_id, v.metric, percentile_cont(0.5) within group (order by v.value) as median, count(*) as n
    from vals v where v.value is not null group by 1, 2, 3
  ),
  mad as (
    select m.host_id, m.team_id, m.metric, m.median, m.n,
      percentile_cont(0.5) within group (order by abs(v.value - m.median)) as mad
    from med m join vals v on v.host_id = m.host_id and v.metric = m.metric and v.value is not null
    group by 1, 2, 3, 4, 5
  )
  insert into public.anomaly_baselines as b (host_id, team_id, metric, hour_of_week, expected, band, samples, updated_at)
  select host_id, team_id, metric, v_how, median, 1.4826 * mad, n, p_at from mad
  on conflict (host_id, metric, hour_of_week) do update
    set expected = excluded.expected, band = excluded.band, samples = excluded.samples, updated_at = excluded.updated_at;
  get diagnostics v_n = row_count;
  return v_n;
end
$$;
comment on function public.refresh_anomaly_baselines(interval, timestamptz) is
  'detect-anomalies only: recomputes stale baselines (median, 1.4826·MAD) of the current hour of week.';

-- Every enabled anomaly rule × covered host: its settings, current state, the baselines of this and
-- the previous hour of week ({"<how>": [expected, band, samples]}) and the raw points of the last
-- max(anomaly_window, recovery_window) as [[epoch seconds, value], …].
create function public.anomaly_inputs(p_at timestamptz default now())
returns table (
  rule_id uuid, host_id uuid, team_id uuid, metric text, sensitivity text, threshold double precision,
  window_s integer, recovery_s integer, status text, baselines jsonb, points jsonb
)
language sql stable security definer set search_path = ''
as $$
  select r.id, h.id, h.team_id, r.metric, r.sensitivity, r.threshold,
    extract(epoch from r.anomaly_window)::integer, extract(epoch from r.recovery_window)::integer,
    coalesce(st.status, 'ok'),
    coalesce((
      select jsonb_object_agg(b.hour_of_week::text, jsonb_build_array(b.expected, b.band, b.samples))
      from public.anomaly_baselines b
      where b.host_id = h.id and b.metric = r.metric
        and b.hour_of_week in (private.hour_of_week(p_at), private.hour_of_week(p_at - interval '1 hour'))
    ), '{}'),
    coalesce((
      select jsonb_agg(jsonb_build_array(extract(epoch from s.ts)::float8, v.value) order by s.ts)
      from public.host_samples s
      cross join lateral (select private.sample_metric(s, r.metric) as value) v
      where s.host_id = h.id and s.ts <= p_at and s.ts > p_at - greatest(r.anomaly_window, r.recovery_window)
        and v.value is not null
    ), '[]')
  from public.alert_rules r
  join public.hosts h on private.rule_covers_host(r, h)
  left join public.alert_states st on st.rule_id = r.id and st.host_id = h.id
  where r.enabled and r.kind = 'anomaly'
$$;
comment on function public.anomaly_inputs(timestamptz) is 'detect-anomalies only: what each anomaly rule × host needs to be evaluated.';

-- Writes the decisions of one detect-anomalies run: [{rule_id, host_id, status, value, ts, event?,
-- expected?, band_low?, band_high?, score?, reason?}]. Events go through private.record_alert_event
-- (silences, outbox) and are broadcast to the team topic like threshold events. Returns the events.
create function public.apply_anomaly_results(p_results jsonb)
returns setof public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  c record;
  v_event public.alert_events;
  v_events jsonb := '[]';
  v_team record;
begin
  for c in
    select r as rule, x.host_id, x.status, x.value, x.ts, x.event, x.expected, x.band_low, x.band_high, x.score,
      x.reason, coalesce(st.status, 'ok') as prev
    from jsonb_to_recordset(p_results) as x(rule_id uuid, host_id uuid, status text, value double precision,
      ts timestamptz, event text, expected double precision, band_low double precision, band_high double precision,
      score double precision, reason text)
    join public.alert_rules r on r.id = x.rule_id and r.kind = 'anomaly'
    left join public.alert_states st on st.rule_id = x.rule_id and st.host_id = x.host_id
    order by r.id, x.host_id
  loop
    if c.status not in ('ok', 'firing') or (c.event is not null and c.event not in ('firing', 'resolved')) then
      raise exception 'Cannot apply anomaly result: status must be ok or firing and event firing or resolved, got % / %',
        c.status, c.event using errcode = '22023';
    end if;
    insert into public.alert_states as a (rule_id, host_id, team_id, status, value, since, evaluated_at)
    values ((c.rule).id, c.host_id, (c.rule).team_id, c.status, c.value, c.ts, c.ts)
    on conflict (rule_id, host_id) do update set
      status = excluded.status, value = excluded.value,
      since = case when a.status = excluded.status then a.since else excluded.since end,
      evaluated_at = excluded.evaluated_at;
    if c.event is not null then
      v_event := private.record_alert_event(c.rule, c.host_id, c.event, c.prev, c.status, c.value, c.ts, c.reason);
      update public.alert_events e
      set expected = c.expected, band_low = c.band_low, band_high = c.band_high, score = c.score
      where e.id = v_event.id
      returning e.* into v_event;
      v_events := v_events || to_jsonb(v_event);
      return next v_event;
    end if;
  end loop;
  for v_team in
    select e ->> 'team_id' as team_id, jsonb_agg(e) as events from jsonb_array_elements(v_events) e group by 1
  loop
    perform realtime.send(jsonb_build_object('table', 'anomalies', 'hosts', '[]'::jsonb, 'events', v_team.events),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
end
$$;
comment on function public.apply_anomaly_results(jsonb) is 'detect-anomalies only: writes anomaly alert states and events.';

revoke all on function private.hour_of_week(timestamptz), private.rule_covers_host(public.alert_rules, public.hosts),
  private.sample_metric(public.host_samples, text), private.rollup_metric(public.host_samples_1m, text) from public;
revoke all on function public.refresh_anomaly_baselines(interval, timestamptz), public.anomaly_inputs(timestamptz),
  public.apply_anomaly_results(jsonb) from public, anon, authenticated;
grant execute on function public.refresh_anomaly_baselines(interval, timestamptz), public.anomaly_inputs(timestamptz),
  public.apply_anomaly_results(jsonb) to service_role;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-detect-anomalies', '* * * * *',
      $job$select private.invoke_edge_function('detect-anomalies', '{"reason": "schedule"}')
           where exists (select 1 from public.alert_rules where enabled and kind = 'anomaly')$job$);
  end if;
end
$$;
