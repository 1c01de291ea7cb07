-- Anomaly detection: an alert_rules row with kind = 'anomaly' watches one rolled-up host metric against
-- its robust baseline (median ± k·MAD per hour of week, or a rolling 24 h when less than three
-- weeks of history exist). The detect-anomalies edge function runs every minute: it refreshes
-- stale baselines (hourly) with refresh_anomaly_baselines, reads each rule × host window with
-- anomaly_inputs, decides in TypeScript (supabase/functions/detect-anomalies/evaluate.ts), and writes state
-- changes with apply_anomaly_results through the same alert_states, alert_events and outbox.
-- For an anomaly rule, threshold is the anomalous share of the trigger window that fires it (0–1].

-- The metrics anomaly rules may watch are the rolled-up ones of the host metric catalogue.

-- Seasonal baselines: expected value and band per host, metric and hour of the week (0 = Monday
-- 00:00 UTC … 167), written by detect-anomalies (service role).
create table public.anomaly_baselines (
  host_id uuid not null references public.hosts (id) on delete cascade,
  team_id uuid not null references public.teams (id) on delete cascade,
  metric text not null constraint anomaly_baselines_metric_length check (char_length(metric) between 1 and 100),
  hour_of_week smallint not null constraint anomaly_baselines_hour_of_week_range check (hour_of_week between 0 and 167),
  expected double precision not null,
  band double precision not null constraint anomaly_baselines_band_non_negative check (band >= 0),
  samples integer not null default 0 constraint anomaly_baselines_samples_non_negative check (samples >= 0),
  updated_at timestamptz not null default now(),
  primary key (host_id, metric, hour_of_week)
);
comment on table public.anomaly_baselines is 'Expected value ± band per host, metric and hour of week (UTC), for anomaly detection.';
create index anomaly_baselines_team_id_idx on public.anomaly_baselines (team_id);

alter table public.anomaly_baselines enable row level security;
create policy "Members can read their team's anomaly baselines" on public.anomaly_baselines
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));

grant select on public.anomaly_baselines to authenticated;
grant all on public.anomaly_baselines to service_role;

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

-- (Re)creates what reads host metrics by name: private.sample_metric (one metric of a raw sample),
-- private.rollup_metric (of a 1-minute rollup: its average) and anomaly_inputs, for every rolled-up
-- catalogue metric.
create procedure private.generate_anomaly_helpers()
language plpgsql set search_path = ''
as $gen$
declare
  v_rolled text := 'm.rollup_type is not null';
begin
  execute format($ddl$
create or replace function private.sample_metric(s public.host_samples, p_metric text) returns double precision
language sql immutable set search_path = ''
as $fn$
  select case p_metric
    %s end
$fn$$ddl$, private.host_metric_list($$format('when %L then s.%I', m.name, m.name)$$, e'\n    ', v_rolled));
  execute format($ddl$
create or replace function private.rollup_metric(m public.host_samples_1m, p_metric text) returns double precision
language sql immutable set search_path = ''
as $fn$
  select case p_metric
    %s end
$fn$$ddl$, private.host_metric_list($$format('when %L then m.%I', m.name, m.name || '_avg')$$, e'\n    ', v_rolled));

  -- Every enabled anomaly rule × covered host as one JSON array (thousands of pairs pass through the
  -- Data API whole; a row set would be cut at max_rows): settings, state, the baselines of this and the
  -- previous hour of week and the raw points of the last max(anomaly_window, recovery_window). Reads
  -- each host's recent samples once (not once per rule), unpivots the metrics rules ask for and joins
  -- baselines set-wise, so its cost grows linearly with hosts × rules.
  execute format($ddl$
create or replace function public.anomaly_inputs(p_at timestamptz default now())
returns jsonb
language sql stable security definer set search_path = ''
as $fn$
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
      %1$s
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
        %2$s end as value
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
$fn$$ddl$,
    private.host_metric_list($$format('s.%I', m.name)
      || case when m.value_type <> 'double precision' then format('::float8 as %I', m.name) else '' end$$, e',\n      ', v_rolled),
    private.host_metric_list($$format('when %L then s.%I', m.name, m.name)$$, e'\n        ', v_rolled));
  -- Server-only: the metric readers run inside the definer functions, anomaly_inputs for detect-anomalies.
  revoke all on function private.sample_metric(public.host_samples, text), private.rollup_metric(public.host_samples_1m, text),
    public.anomaly_inputs(timestamptz) from public, anon, authenticated;
  grant execute on function public.anomaly_inputs(timestamptz) to service_role;
end
$gen$;
revoke all on procedure private.generate_anomaly_helpers() from public;
call private.generate_anomaly_helpers();
comment on function public.anomaly_inputs(timestamptz) is
  'detect-anomalies only: [{rule_id, host_id, team_id, metric, sensitivity, threshold, window_s, recovery_s, status, baselines: {"<hour of week>": [expected, band, samples]}, points: [[epoch s, value]]}].';

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

revoke all on function private.hour_of_week(timestamptz), private.rule_covers_host(public.alert_rules, public.hosts)
  from public, anon, authenticated;
revoke all on function public.refresh_anomaly_baselines(interval, timestamptz), public.apply_anomaly_results(jsonb)
  from public, anon, authenticated;
grant execute on function public.refresh_anomaly_baselines(interval, timestamptz), public.apply_anomaly_results(jsonb)
  to service_role;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-detect-anomalies', '* * * * *',
      $job$select private.invoke_edge_function('detect-anomalies', '{"reason": "schedule"}')
           where exists (select 1 from public.alert_rules where enabled and kind = 'anomaly')$job$);
  end if;
end
$$;
