-- SQL for Studio/psql users (documented in supabase/README.md). All run with the caller's rights,
-- so row-level security decides what they see. The functions are executable by PUBLIC, as before the
-- no-EXECUTE-for-PUBLIC default of …_create_teams.sql (anon can read none of the tables they read).

-- (Re)creates metrics_range from the host metric catalogue: host metrics over a range at a resolution
-- fit for the span: raw (and compacted raw) up to 3 hours, 1-minute rollups up to 3 days, 1-hour
-- rollups beyond; or the one asked for. It returns every rolled-up metric (rollups carry averages,
-- plus <metric>_max where range_max; raw rows have samples = 1) and decodes from compacted blobs only
-- the columns behind them.
create procedure private.generate_metrics_range()
language plpgsql set search_path = ''
as $gen$
declare
  v_rolled text := 'm.rollup_type is not null';
begin
  -- The result columns may change, which create or replace cannot do.
  drop function if exists public.metrics_range(uuid, timestamptz, timestamptz, text);
  execute format($ddl$
create function public.metrics_range(
  p_host_id uuid, p_from timestamptz, p_to timestamptz default now(), p_resolution text default null
)
returns table (
  ts timestamptz, resolution text, samples integer,
  %1$s
)
language plpgsql stable security invoker set search_path = ''
as $fn$
declare
  v_res text := coalesce(p_resolution, case
    when p_to - p_from <= interval '3 hours' then 'raw'
    when p_to - p_from <= interval '3 days' then '1m'
    else '1h' end);
begin
  if p_from is null or p_to is null or p_to < p_from then
    raise exception 'metrics_range: need p_from <= p_to, got %% and %%', p_from, p_to using errcode = '22023';
  end if;
  if v_res = 'raw' then
    return query
      select s.ts, 'raw'::text, 1, %2$s
      from (
        select r.ts, %3$s
        from public.host_samples r
        where r.host_id = p_host_id and r.ts >= p_from and r.ts < p_to
        union all
        select d.ts, %4$s
        from public.host_samples_compact c
          cross join lateral private.decode_host_hour(c.data, %5$L) d
        where c.host_id = p_host_id and c.hour >= date_trunc('hour', p_from) and c.hour < p_to
          and d.ts >= p_from and d.ts < p_to
      ) s
      order by s.ts;
  elsif v_res in ('1m', '1h') then
    return query execute format($q$
      select r.bucket, %%L::text, r.samples, %6$s
      from public.host_samples_%%s r
      where r.host_id = $1 and r.bucket >= $2 and r.bucket < $3
      order by r.bucket
    $q$, v_res, v_res) using p_host_id, p_from, p_to;
  else
    raise exception 'metrics_range: resolution must be raw, 1m or 1h, got %%', v_res using errcode = '22023';
  end if;
end
$fn$$ddl$,
    private.host_metric_list($$format('%1$I %2$s', m.name, m.rollup_type)
      || case when m.range_max then format(', %1$I %2$s', m.name || '_max', m.rollup_type) else '' end$$, e',\n  ', v_rolled),
    private.host_metric_list($$format('s.%I%s', m.name, case when m.value_type <> m.rollup_type then '::' || m.rollup_type else '' end)
      || case when m.range_max then format(', s.%I', m.name) else '' end$$, ', ', v_rolled),
    private.host_metric_list($$format('r.%I', m.name)$$, ', ', v_rolled),
    private.host_metric_list($$format('d.%I', m.name)$$, ', ', v_rolled),
    (select '{' || string_agg(x.c::text, ',' order by x.c) || '}' from (
      select m.compact_column as c from private.host_metrics m
      where m.compact_column is not null and (m.value_type = 'timestamptz' or m.rollup_type is not null)
      union
      select t.compact_column from private.host_metrics m join private.host_metrics t on t.name = any (m.percent_of)
      where m.rollup_type is not null) x),
    private.host_metric_list($$format('r.%I', m.name || '_avg')
      || case when m.range_max then format(', r.%I', m.name || '_max') else '' end$$, ', ', v_rolled));
  comment on function public.metrics_range(uuid, timestamptz, timestamptz, text) is
    'Host metrics between two times; picks raw (≤ 3 h), 1m (≤ 3 d) or 1h data unless p_resolution says otherwise.';
  grant execute on function public.metrics_range(uuid, timestamptz, timestamptz, text) to authenticated, service_role;
end
$gen$;
revoke all on procedure private.generate_metrics_range() from public;
call private.generate_metrics_range();

-- Health at a glance: offline when no sample for offline_after_intervals × the host's interval,
-- else the worst severity among firing alerts.
create view public.host_status with (security_invoker = true) as
select
  h.id as host_id, h.team_id, h.name, h.slug, h.labels, h.last_seen_at,
  case
    when h.last_seen_at is null
      or h.last_seen_at < now() - make_interval(secs => h.sample_interval_s * coalesce(t.offline_after_intervals, 3))
      then 'offline'
    when a.critical > 0 then 'critical'
    when a.warning > 0 then 'warning'
    else 'healthy'
  end as status,
  (coalesce(a.critical, 0) + coalesce(a.warning, 0))::integer as firing_alerts,
  l.cpu_total, l.cpu_count, l.mem_percent, l.mem_total, l.mem_used, l.disk_percent, l.disk_total, l.disk_used,
  l.load_1, l.net_rx_bps, l.net_tx_bps, l.net_connections, l.uptime_s
from public.hosts h
left join public.team_settings t on t.team_id = h.team_id
left join public.host_latest l on l.host_id = h.id
left join lateral (
  select count(*) filter (where r.severity = 'critical') as critical, count(*) filter (where r.severity = 'warning') as warning
  from public.alert_states s join public.alert_rules r on r.id = s.rule_id
  where s.host_id = h.id and s.status = 'firing'
) a on true;
comment on view public.host_status is 'Each host with status healthy | warning | critical | offline and its latest key metrics.';

-- The most expensive statements of each monitored database, from its newest sample (last hour).
create view public.top_statements with (security_invoker = true) as
select
  d.host_id, d.db_name, d.ts, s.rank::integer as rank,
  s.stmt ->> 'queryid' as queryid,
  s.stmt ->> 'query' as query,
  (s.stmt ->> 'calls')::bigint as calls,
  (s.stmt ->> 'total_ms')::double precision as total_ms,
  (s.stmt ->> 'mean_ms')::double precision as mean_ms,
  (s.stmt ->> 'rows')::bigint as rows
from (
  select distinct on (x.host_id, x.db_name) x.host_id, x.db_name, x.ts, x.top_statements
  from public.db_samples x
  where x.ts > now() - interval '1 hour' and x.top_statements is not null
  order by x.host_id, x.db_name, x.ts desc
) d
cross join lateral jsonb_array_elements(d.top_statements) with ordinality as s(stmt, rank);
comment on view public.top_statements is 'pg_stat_statements top entries of each database''s newest sample in the last hour.';

-- When would this rule have fired? Replays the rule's state machine over stored history of every
-- host it covers: raw and compacted samples, then 1-minute averages where raw data has expired.
create function public.backtest_rule(p_rule_id uuid, p_from timestamptz, p_to timestamptz default now())
returns table (host_id uuid, host_name text, ts timestamptz, event text, status text, value double precision)
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_rule public.alert_rules;
  v_host record;
  v_point record;
  v_status text;
  v_pending timestamptz;
  v_recovering timestamptz;
  v_step record;
begin
  select * into v_rule from public.alert_rules r where r.id = p_rule_id;
  if not found then
    raise exception 'backtest_rule: rule % not found or not visible to you', p_rule_id using errcode = 'P0002';
  end if;
  if v_rule.metric = 'host_down' then
    raise exception 'backtest_rule: host_down rules depend on arrival times and cannot be replayed' using errcode = '0A000';
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
      select ts, value from raw
      union all
      select m.bucket, %2$s from public.host_samples_1m m
      where m.host_id = $1 and m.bucket >= $2 and m.bucket < $3
        and m.bucket < coalesce((select min(raw.ts) from raw), $3)
      order by 1
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
        host_id := v_host.id; host_name := v_host.name; ts := v_point.ts; event := v_step.event;
        status := v_status; value := v_point.value;
        return next;
      end if;
    end loop;
  end loop;
end
$$;
comment on function public.backtest_rule(uuid, timestamptz, timestamptz) is
  'Lists the transitions (pending, firing, resolved, cancelled) a rule would have made over stored history.';

grant execute on function public.backtest_rule(uuid, timestamptz, timestamptz) to authenticated, service_role;
grant select on public.host_status, public.top_statements to authenticated, service_role;
