-- Backtest for every source and for unsaved rules: backtest_rule_draft replays a rule given as JSON
-- (an alert_rules row, saved or not) over stored history; backtest_rule(id) now delegates to it and
-- also returns the series. anomaly_band_preview gives an anomaly rule's band over recent history.

-- A rule as JSON → an alert_rules row with the table's defaults for what is left out.
create function private.rule_from_json(p_rule jsonb) returns public.alert_rules
language sql stable set search_path = ''
as $$
  select jsonb_populate_record(null::public.alert_rules,
    jsonb_build_object('operator', '>', 'for_duration', '0', 'keep_firing_for', '0', 'severity', 'warning', 'scope', 'all',
      'channel_ids', '{}', 'enabled', true, 'kind', 'threshold', 'sensitivity', 'medium', 'anomaly_window', '5 minutes',
      'recovery_window', '5 minutes', 'source', 'host', 'series_match', '{}'::jsonb) || jsonb_strip_nulls(p_rule))
$$;
revoke all on function private.rule_from_json(jsonb) from public, anon;
grant execute on function private.rule_from_json(jsonb) to authenticated, service_role;

-- Replays a rule's state machine over stored history of every host (and series) it covers, as the
-- caller (RLS decides what history there is). Host rules read raw and compacted samples, then
-- 1-minute averages where raw data has expired; other sources read their sample table.
create function public.backtest_rule_draft(p_rule jsonb, p_from timestamptz, p_to timestamptz default now())
returns table (host_id uuid, host_name text, series text, ts timestamptz, event text, status text, value double precision)
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_rule public.alert_rules;
  v_table text;
  v_host record;
  v_point record;
  v_series text;
  v_status text;
  v_pending timestamptz;
  v_recovering timestamptz;
  v_step record;
begin
  if p_rule is null or jsonb_typeof(p_rule) <> 'object' then
    raise exception 'backtest_rule_draft: p_rule must be a JSON object with at least team_id, metric and threshold'
      using errcode = '22023';
  end if;
  begin
    v_rule := private.rule_from_json(p_rule);
  exception when others then
    raise exception 'backtest_rule_draft: cannot read the rule: %', sqlerrm using errcode = '22023';
  end;
  if v_rule.team_id is null or v_rule.metric is null or v_rule.threshold is null then
    raise exception 'backtest_rule_draft: the rule needs team_id, metric and threshold' using errcode = '22023';
  end if;
  if v_rule.kind = 'anomaly' then
    raise exception 'backtest_rule_draft: anomaly rules have no threshold replay; use anomaly_band_preview'
      using errcode = '0A000';
  end if;
  if v_rule.metric = 'host_down' then
    raise exception 'backtest_rule_draft: host_down rules depend on arrival times and cannot be replayed' using errcode = '0A000';
  end if;
  if v_rule.operator not in ('>', '>=', '<', '<=') then
    raise exception 'backtest_rule_draft: operator must be one of >, >=, <, <=, got %', v_rule.operator using errcode = '22023';
  end if;
  v_table := private.rule_source_table(v_rule.source, v_rule.metric);
  if v_table is null then
    raise exception 'backtest_rule_draft: % is not a metric of source %', v_rule.metric, v_rule.source using errcode = '22023';
  end if;
  for v_host in
    select h.id, h.name from public.hosts h
    where h.team_id = v_rule.team_id
      and (v_rule.scope = 'all'
        or (v_rule.scope = 'host' and h.id = v_rule.scope_host_id)
        or (v_rule.scope = 'label' and h.labels ? v_rule.scope_label_key
            and (v_rule.scope_label_value is null or h.labels ->> v_rule.scope_label_key = v_rule.scope_label_value)))
    order by h.name
  loop
    v_series := null;
    if v_rule.source = 'host' then
      -- Host metrics: one series ('').
      v_status := 'ok'; v_pending := null; v_recovering := null;
      for v_point in execute format($q$
        with raw as (
          select r.ts, r.%1$I::double precision as value from public.host_samples r
          where r.host_id = $1 and r.ts >= $2 and r.ts < $3
          union all
          select d.ts, d.%1$I::double precision from public.host_samples_compact c
            cross join lateral private.decode_host_hour(c.data) d
          where c.host_id = $1 and c.hour >= date_trunc('hour', $2) and c.hour < $3 and d.ts >= $2 and d.ts < $3
        )
        select ''::text as series, ts, value from raw
        union all
        select '', m.bucket, %2$s from public.host_samples_1m m
        where m.host_id = $1 and m.bucket >= $2 and m.bucket < $3
          and m.bucket < coalesce((select min(raw.ts) from raw), $3)
        order by 2
      $q$, v_rule.metric,
        case when exists (select 1 from information_schema.columns c
          where c.table_schema = 'public' and c.table_name = 'host_samples_1m' and c.column_name = v_rule.metric || '_avg')
          then format('m.%I::double precision', v_rule.metric || '_avg') else 'null::double precision' end)
      using v_host.id, p_from, p_to
      loop
        continue when v_point.value is null;
        v_step := private.alert_step(v_status, v_pending, v_recovering, v_rule.operator, v_rule.threshold,
          v_rule.recovery_threshold, v_rule.for_duration, v_rule.keep_firing_for, v_point.value, v_point.ts);
        v_status := v_step.status; v_pending := v_step.pending_since; v_recovering := v_step.recovering_since;
        if v_step.event is not null then
          host_id := v_host.id; host_name := v_host.name; series := ''; ts := v_point.ts; event := v_step.event;
          status := v_status; value := v_point.value;
          return next;
        end if;
      end loop;
    else
      -- Other sources: the sample rows mapped to points by the catalogue, one state machine per series.
      for v_point in execute format($q$
        select p ->> 'series' as series, (p ->> 'ts')::timestamptz as ts, (p ->> $4)::double precision as value
        from (select jsonb_agg(to_jsonb(s)) as rows from public.%I s where s.host_id = $1 and s.ts >= $2 and s.ts < $3) b
        cross join lateral private.series_points(%L, b.rows) p
        where p ->> 'source' = $5 and p -> 'dims' @> $6
        order by 1, 2
      $q$, v_table, v_table)
      using v_host.id, p_from, p_to, v_rule.metric, v_rule.source, v_rule.series_match
      loop
        if v_series is distinct from v_point.series then
          v_series := v_point.series; v_status := 'ok'; v_pending := null; v_recovering := null;
        end if;
        continue when v_point.value is null;
        v_step := private.alert_step(v_status, v_pending, v_recovering, v_rule.operator, v_rule.threshold,
          v_rule.recovery_threshold, v_rule.for_duration, v_rule.keep_firing_for, v_point.value, v_point.ts);
        v_status := v_step.status; v_pending := v_step.pending_since; v_recovering := v_step.recovering_since;
        if v_step.event is not null then
          host_id := v_host.id; host_name := v_host.name; series := v_point.series; ts := v_point.ts;
          event := v_step.event; status := v_status; value := v_point.value;
          return next;
        end if;
      end loop;
    end if;
  end loop;
end
$$;
comment on function public.backtest_rule_draft(jsonb, timestamptz, timestamptz) is
  'Lists the transitions a rule (given as an alert_rules row in JSON, saved or not) would have made over stored history, per host and series.';

-- A saved rule's backtest: the draft replay of its row.
drop function public.backtest_rule(uuid, timestamptz, timestamptz);
create function public.backtest_rule(p_rule_id uuid, p_from timestamptz, p_to timestamptz default now())
returns table (host_id uuid, host_name text, series text, ts timestamptz, event text, status text, value double precision)
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_rule public.alert_rules;
begin
  select * into v_rule from public.alert_rules r where r.id = p_rule_id;
  if not found then
    raise exception 'backtest_rule: rule % not found or not visible to you', p_rule_id using errcode = 'P0002';
  end if;
  return query select * from public.backtest_rule_draft(to_jsonb(v_rule), p_from, p_to);
end
$$;
comment on function public.backtest_rule(uuid, timestamptz, timestamptz) is
  'Lists the transitions (pending, firing, resolved, cancelled) a saved rule would have made over stored history.';

-- An anomaly rule's band over [p_from, p_to) for one host: 1-minute averages with expected ± k·band
-- from the stored hour-of-week baselines, or, where none is stored (a new or unsaved rule), from the
-- median and MAD of the 24 hours before p_from, as detect-anomalies does until baselines exist.
create function public.anomaly_band_preview(p_rule jsonb, p_host_id uuid, p_from timestamptz, p_to timestamptz default now())
returns table (ts timestamptz, value double precision, expected double precision, band_low double precision,
  band_high double precision, anomalous boolean)
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_rule public.alert_rules;
  v_k double precision;
  v_median double precision;
  v_mad double precision;
begin
  v_rule := private.rule_from_json(p_rule);
  if v_rule.metric is null or not exists (select 1 from information_schema.columns c
      where c.table_schema = 'public' and c.table_name = 'host_samples_1m' and c.column_name = v_rule.metric || '_avg') then
    raise exception 'anomaly_band_preview: % is not a rolled-up host metric', v_rule.metric using errcode = '22023';
  end if;
  v_k := case v_rule.sensitivity when 'low' then 5 when 'high' then 2.5 else 3.5 end;
  execute format($q$
    with v as (select m.%I::double precision as x from public.host_samples_1m m
      where m.host_id = $1 and m.bucket >= $2 - interval '24 hours' and m.bucket < $2),
    med as (select percentile_cont(0.5) within group (order by x) as median from v where x is not null)
    select med.median, 1.4826 * (select percentile_cont(0.5) within group (order by abs(v.x - med.median)) from v
      where v.x is not null) from med$q$, v_rule.metric || '_avg')
    into v_median, v_mad using p_host_id, p_from;
  return query execute format($q$
    select m.bucket, m.%I::double precision, e.expected, e.expected - $4 * e.band, e.expected + $4 * e.band,
      m.%I not between e.expected - $4 * e.band and e.expected + $4 * e.band
    from public.host_samples_1m m
    left join public.anomaly_baselines b on b.host_id = m.host_id and b.metric = $5
      and b.hour_of_week = private.hour_of_week(m.bucket)
    cross join lateral (select coalesce(b.expected, $6) as expected,
      greatest(coalesce(b.band, $7), abs(coalesce(b.expected, $6)) * 0.01, 1e-6) as band) e
    where m.host_id = $1 and m.bucket >= $2 and m.bucket < $3
    order by m.bucket$q$, v_rule.metric || '_avg', v_rule.metric || '_avg')
    using p_host_id, p_from, p_to, v_k, v_rule.metric, v_median, v_mad;
end
$$;
comment on function public.anomaly_band_preview(jsonb, uuid, timestamptz, timestamptz) is
  'An anomaly rule''s 1-minute values and expected band (k·band by sensitivity) for one host: stored baselines, else the previous 24 h.';

revoke all on function public.backtest_rule_draft(jsonb, timestamptz, timestamptz), public.backtest_rule(uuid, timestamptz, timestamptz),
  public.anomaly_band_preview(jsonb, uuid, timestamptz, timestamptz) from public, anon;
grant execute on function public.backtest_rule_draft(jsonb, timestamptz, timestamptz), public.backtest_rule(uuid, timestamptz, timestamptz),
  public.anomaly_band_preview(jsonb, uuid, timestamptz, timestamptz) to authenticated, service_role;
-- anomaly_band_preview reads the hour of week as the caller.
grant execute on function private.hour_of_week(timestamptz) to authenticated;
