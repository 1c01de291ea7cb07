-- Rules on every source: besides host metrics, threshold rules watch application RED metrics per
-- service and route, HTTP/TCP checks and database metrics, evaluated at ingest by the same
-- statement-level triggers and state machine (private.alert_step).
--
-- A rule names a source and one of its metrics; the series it watches are the source's rows per host
-- (an app route, a check, a database), each with its own alert state keyed (rule_id, host_id, series).
-- Host rules keep series '' so their states, events and anomaly handling are unchanged. A rule's
-- host scope (all / host / label) applies to the host a series belongs to; series_match narrows it to
-- series whose dimensions contain it ({"service": "api"}, {"check": "homepage"}, {"db": "app"}).
--
-- The source catalogue: one row in private.rule_sources and its metrics in private.rule_metrics, then
-- `call private.generate_rule_source_code()`; the sample table's statement trigger hands its newest
-- rows to private.evaluate_samples. Everything that lists sources or metrics is generated from the
-- catalogue at migration time (plain SQL afterwards, no lookup per call), like the host metric catalogue.

create table private.rule_sources (
  source text primary key constraint rule_sources_source_shape check (source ~ '^[a-z][a-z0-9_]{0,29}$'),
  ord smallint not null unique,
  label text not null,
  -- The table whose rows the source reads (its trigger calls private.evaluate_samples with this name).
  sample_table text not null,
  -- SQL over the sample row as jsonb `r`: which rows belong to the source, the series key, and the
  -- dimensions rules can match ({"<name>": "<SQL giving text>"}).
  row_filter text not null default 'true',
  series_sql text not null,
  dims jsonb not null constraint rule_sources_dims_object check (jsonb_typeof(dims) = 'object')
);
comment on table private.rule_sources is
  'Alert rule sources other than host: where their rows come from, their series key and the dimensions rules can match.';

create table private.rule_metrics (
  source text not null references private.rule_sources (source),
  metric text not null constraint rule_metrics_metric_shape check (metric ~ '^[a-z][a-z0-9_]{0,59}$'),
  ord smallint not null,
  -- SQL over the sample row as jsonb `r`, giving double precision (null: not measured in this row).
  value_sql text not null,
  primary key (source, metric)
);
comment on table private.rule_metrics is 'Metrics rules may watch on each non-host source, and how to read them from a sample row.';
revoke all on private.rule_sources, private.rule_metrics from public, anon, authenticated, service_role;

insert into private.rule_sources (source, ord, label, sample_table, row_filter, series_sql, dims) values
  ('app', 1, 'Application (RED)', 'app_samples', $$r ->> 'kind' = 'app'$$, $$r ->> 'check_name'$$,
    $${"service": "coalesce(r ->> 'service', r ->> 'check_name')", "route": "coalesce(r ->> 'route', '')"}$$),
  ('check', 2, 'HTTP/TCP check', 'app_samples', $$r ->> 'kind' in ('http', 'tcp')$$, $$r ->> 'check_name'$$,
    $${"check": "r ->> 'check_name'", "kind": "r ->> 'kind'"}$$),
  ('db', 3, 'Database', 'db_samples', 'true', $$r ->> 'db_name'$$, $${"db": "r ->> 'db_name'"}$$);

insert into private.rule_metrics (source, metric, ord, value_sql) values
  ('app', 'error_rate', 1, $$(r ->> 'error_rate')::float8$$),
  ('app', 'latency_p50_ms', 2, $$(r ->> 'latency_p50_ms')::float8$$),
  ('app', 'latency_p95_ms', 3, $$(r ->> 'latency_p95_ms')::float8$$),
  ('app', 'latency_p99_ms', 4, $$(r ->> 'latency_p99_ms')::float8$$),
  ('app', 'throughput_rps', 5, $$(r ->> 'throughput_rps')::float8$$),
  ('check', 'check_down', 1, $$case r ->> 'status' when 'down' then 1 else 0 end::float8$$),
  ('check', 'latency_ms', 2, $$(r ->> 'latency_ms')::float8$$),
  ('check', 'tls_days_left', 3, $$(r -> 'detail' ->> 'tls_days_left')::float8$$),
  ('db', 'connections_used_pct', 1,
    $$100 * (r ->> 'connections_total')::float8 / nullif((r ->> 'max_connections')::float8, 0)$$),
  ('db', 'cache_hit_ratio', 2, $$(r ->> 'cache_hit_ratio')::float8$$),
  ('db', 'replication_lag_s', 3, $$(r ->> 'replication_lag_s')::float8$$),
  ('db', 'deadlocks', 4, $$(r ->> 'deadlocks')::float8$$),
  ('db', 'rollback_rate', 5, $$(r ->> 'xact_rollback_rate')::float8$$);

-- Rules, states and events learn the source and series ----------------------------------------

alter table public.alert_rules
  add column source text not null default 'host',
  add column series_match jsonb not null default '{}'
    constraint alert_rules_series_match_strings check (
      jsonb_typeof(series_match) = 'object' and pg_column_size(series_match) <= 2048
      and not jsonb_path_exists(series_match, '$.* ? (@.type() != "string")'));
comment on column public.alert_rules.source is
  'What the rule watches: host (host_samples; host_down on a schedule), app (RED metrics per service and route), check (HTTP/TCP checks) or db (database metrics).';
comment on column public.alert_rules.series_match is
  'Narrows a non-host rule to series whose dimensions contain these values: app {service, route}, check {check, kind}, db {db}; {} = every series.';

alter table public.alert_states add column series text not null default '';
alter table public.alert_states drop constraint alert_states_pkey, add primary key (rule_id, host_id, series);
comment on column public.alert_states.series is 'The series within the host: app "<service> <route>", check name or database name; '''' for host rules.';

alter table public.alert_events
  add column source text not null default 'host',
  add column series text not null default '';
comment on column public.alert_events.series is 'The series the event is about ('''' for host rules): app "<service> <route>", check name or database name.';

-- Everything generated from the catalogues -----------------------------------------------------

-- Joins one text per rule_metrics row (with its source row s) matching p_where, like private.host_metric_list.
create function private.rule_metric_list(p_expr text, p_sep text, p_where text default 'true')
returns text
language plpgsql stable set search_path = ''
as $$
declare
  v text;
begin
  execute format('select string_agg(%s, %L order by s.ord, m.ord) from private.rule_metrics m
    join private.rule_sources s on s.source = m.source where %s', p_expr, p_sep, p_where) into v;
  return coalesce(v, '');
end
$$;
revoke all on function private.rule_metric_list(text, text, text) from public;

-- The alert_rules checks: the metric is one of the source's, series_match names only its dimensions,
-- anomaly rules watch rolled-up host metrics. Replaces the host-only version (…_create_alerting.sql);
-- private.generate_host_metric_code() still calls it when the host catalogue grows.
create or replace procedure private.generate_alert_rule_checks()
language plpgsql set search_path = ''
as $p$
declare
  v_sources text;
  v_metrics text;
  v_dims text;
begin
  select string_agg(quote_literal(source), ', ' order by ord) into v_sources from private.rule_sources;
  select string_agg(format('(source = %L and series_match - %L::text[] = ''{}''::jsonb)', s.source,
      (select array_agg(k) from jsonb_object_keys(s.dims) k)), ' or ' order by s.ord)
    into v_dims from private.rule_sources s;
  v_metrics := private.rule_metric_list($$format('(%L, %L)', m.source, m.metric)$$, ', ');
  alter table public.alert_rules drop constraint if exists alert_rules_metric_known,
    drop constraint if exists alert_rules_anomaly_shape,
    drop constraint if exists alert_rules_source_known,
    drop constraint if exists alert_rules_series_match_known;
  execute format('alter table public.alert_rules add constraint alert_rules_source_known check (source in (%L, %s))',
    'host', v_sources);
  execute format($f$alter table public.alert_rules add constraint alert_rules_metric_known check (
    (source = 'host' and metric in (%s, %L)) or (source, metric) in (%s))$f$,
    private.host_metric_list('quote_literal(m.name)', ', ', 'm.alertable'), 'host_down', v_metrics);
  execute format($f$alter table public.alert_rules add constraint alert_rules_series_match_known check (
    (source = 'host' and series_match = '{}'::jsonb) or %s)$f$, v_dims);
  execute format($f$alter table public.alert_rules add constraint alert_rules_anomaly_shape check (
    kind <> 'anomaly' or (source = 'host' and threshold > 0 and threshold <= 1 and metric in (%s)))$f$,
    private.host_metric_list('quote_literal(m.name)', ', ', 'm.rollup_type is not null'));
end
$p$;

-- Generates, from the catalogue, private.series_points(p_table, p_rows): every source reading p_table
-- maps each row of p_rows (a jsonb array of sample rows) to a point {host_id, ts, source, series, dims,
-- <metric>: value…}, shared by ingest (newest row per series) and the backtest (every row); and
-- private.rule_source_table(source, metric): the table a rule reads, null for an unknown pair (so the
-- backtest, running as the caller, needs no read access to the catalogue). Then the alert_rules checks.
create procedure private.generate_rule_source_code()
language plpgsql set search_path = ''
as $gen$
declare
  v_branches text;
begin
  select string_agg(format($b$
    select jsonb_build_object('host_id', r -> 'host_id', 'ts', r -> 'ts', 'source', %L, 'series', %s,
      'dims', jsonb_build_object(%s)) || jsonb_build_object(%s)
    from jsonb_array_elements(p_rows) r where p_table = %L and (%s)$b$,
      s.source, s.series_sql,
      (select string_agg(format('%L, %s', d.key, d.value #>> '{}'), ', ') from jsonb_each(s.dims) d),
      private.rule_metric_list($$format('%L, %s', m.metric, m.value_sql)$$, ', ', format('m.source = %L', s.source)),
      s.sample_table, s.row_filter), e'\n    union all' order by s.ord)
    into v_branches from private.rule_sources s;
  execute format($ddl$
create or replace function private.series_points(p_table text, p_rows jsonb) returns setof jsonb
language sql immutable set search_path = ''
as $fn$%s
$fn$$ddl$, v_branches);
  execute format($ddl$
create or replace function private.rule_source_table(p_source text, p_metric text) returns text
language sql immutable set search_path = ''
as $fn$
  select case
    when p_source = 'host' and p_metric in (%s) then 'host_samples'
    %s
  end
$fn$$ddl$,
    private.host_metric_list('quote_literal(m.name)', ', ', 'm.alertable'),
    private.rule_metric_list($$format('when (p_source, p_metric) = (%L, %L) then %L', m.source, m.metric, s.sample_table)$$,
      e'\n    '));
  revoke all on function private.series_points(text, jsonb), private.rule_source_table(text, text) from public, anon;
  -- The backtest runs as the caller and maps the rows it may read.
  grant execute on function private.series_points(text, jsonb), private.rule_source_table(text, text)
    to authenticated, service_role;
  call private.generate_alert_rule_checks();
end
$gen$;
revoke all on procedure private.generate_rule_source_code() from public;
call private.generate_rule_source_code();

-- Evaluation -----------------------------------------------------------------------------------

-- Records one transition (silences, outbox fan-out) as before, now with the series it concerns.
drop function private.record_alert_event(public.alert_rules, uuid, text, text, text, double precision, timestamptz, text);
create function private.record_alert_event(
  p_rule public.alert_rules, p_host_id uuid, p_kind text, p_from text, p_to text,
  p_value double precision, p_ts timestamptz, p_reason text default null, p_series text default ''
)
returns public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  v_event public.alert_events;
  v_labels jsonb;
  v_silenced boolean;
begin
  select h.labels into v_labels from public.hosts h where h.id = p_host_id;
  v_silenced := private.is_silenced(p_rule.team_id, p_host_id, p_rule.id, coalesce(v_labels, '{}'));
  insert into public.alert_events (team_id, rule_id, host_id, kind, from_status, to_status, rule_name, metric, severity,
    value, threshold, reason, silenced, occurred_at, source, series)
  values (p_rule.team_id, p_rule.id, p_host_id, p_kind, p_from, p_to, p_rule.name, p_rule.metric, p_rule.severity,
    p_value, p_rule.threshold, p_reason, v_silenced, p_ts, p_rule.source, coalesce(p_series, ''))
  returning * into v_event;
  if p_kind in ('firing', 'resolved') and not v_silenced then
    insert into public.notifications (team_id, event_id, channel_id)
    select p_rule.team_id, v_event.id, c.id
    from public.channels c
    where c.id = any (p_rule.channel_ids) and c.team_id = p_rule.team_id and c.enabled
    on conflict (event_id, channel_id) do nothing;
  end if;
  return v_event;
end
$$;

-- Evaluates every enabled threshold rule covering the given snapshots: a jsonb array of
-- {host_id, ts, [source, series, dims,] <metric>: value…} (a host_latest row, {host_id, ts, host_down},
-- or a private.series_points point; source defaults to host, series to ''). At most one snapshot per
-- host and series. A rule is stepped only when its metric is present and never with a snapshot older
-- than the one it last saw. Set-based: a rule that is ok and not breached costs one comparison and
-- writes nothing; only state changes are written. Returns the events written.
create or replace function private.evaluate_rules(p_snapshots jsonb)
returns setof public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  v_candidates jsonb;
  v_steps jsonb;
  v_nestloop text := current_setting('enable_nestloop');
  c record;
begin
  -- Each snapshot is read once (with its team and labels) and each metric the rules of its team and
  -- source ask for is read from it once (vals: narrow rows); rules join those on (team, source,
  -- metric) and only breaching pairs, or pairs whose state is open, go on: a rule that is ok and not
  -- breached costs one comparison per series and reads no state.
  -- Statement 1, planned with hash joins (its row estimates for JSON input are far too low, and a
  -- nested loop over rules × series costs a comparison per combination): reset right after.
  perform set_config('enable_nestloop', 'off', true);
  with snap as materialized (
    select (e ->> 'host_id')::uuid as host_id, (e ->> 'ts')::timestamptz as ts, coalesce(e ->> 'source', 'host') as source,
      coalesce(e ->> 'series', '') as series, coalesce(e -> 'dims', '{}') as dims, e, h.team_id, h.labels
    from jsonb_array_elements(p_snapshots) e
    -- Lateral lookups and = any(array): index scans however the joins below are planned.
    cross join lateral (select h.team_id, h.labels from public.hosts h where h.id = (e ->> 'host_id')::uuid limit 1) h
  ),
  rules as materialized (
    select r.* from public.alert_rules r
    where r.enabled and r.kind = 'threshold' and r.team_id = any (array(select distinct s.team_id from snap s))
      and r.source = any (array(select distinct s.source from snap s))
  ),
  vals as materialized (
    select s.host_id, s.ts, s.source, s.series, s.dims, s.team_id, s.labels, m.metric, (s.e ->> m.metric)::double precision as value
    from snap s
    join (select distinct r.team_id, r.source, r.metric from rules r) m on m.team_id = s.team_id and m.source = s.source
  ),
  open as materialized (
    select st.rule_id, st.host_id, st.series from public.alert_states st
    where st.status <> 'ok' and st.rule_id = any (array(select r.id from rules r))
  ),
  candidates as (
    select r.id as rule_id, r.team_id, r.operator, r.threshold, r.recovery_threshold, r.for_duration, r.keep_firing_for,
      v.host_id, v.series, v.ts, v.value,
      case r.operator when '>' then v.value > r.threshold when '>=' then v.value >= r.threshold
        when '<' then v.value < r.threshold else v.value <= r.threshold end as breach
    from vals v
    join rules r on r.team_id = v.team_id and r.source = v.source and r.metric = v.metric
    where v.value is not null
      and (r.series_match = '{}' or v.dims @> r.series_match)
      and (r.scope = 'all'
        or (r.scope = 'host' and r.scope_host_id = v.host_id)
        or (r.scope = 'label' and v.labels ? r.scope_label_key
            and (r.scope_label_value is null or v.labels ->> r.scope_label_key = r.scope_label_value)))
      and (case r.operator when '>' then v.value > r.threshold when '>=' then v.value >= r.threshold
          when '<' then v.value < r.threshold else v.value <= r.threshold end
        or (r.id, v.host_id, v.series) in (select o.rule_id, o.host_id, o.series from open o))
  )
  select jsonb_agg(to_jsonb(cd)) into v_candidates from candidates cd;
  perform set_config('enable_nestloop', v_nestloop, true);
  if v_candidates is null then
    return;
  end if;

  -- Statement 2: step the candidates with their states, write the state changes, collect the events.
  with pairs as (
    select cd.*, st.status, st.pending_since, st.recovering_since
    from jsonb_to_recordset(v_candidates) as cd(rule_id uuid, team_id uuid, operator text, threshold double precision,
      recovery_threshold double precision, for_duration interval, keep_firing_for interval, host_id uuid, series text,
      ts timestamptz, value double precision, breach boolean)
    left join public.alert_states st on st.rule_id = cd.rule_id and st.host_id = cd.host_id and st.series = cd.series
    where st.evaluated_at is null or st.evaluated_at <= cd.ts
  ),
  stepped as (
    select p.*, x.status as new_status, x.pending_since as new_pending, x.recovering_since as new_recovering, x.event
    from pairs p
    cross join lateral private.alert_step(p.status, p.pending_since, p.recovering_since, p.operator, p.threshold,
      p.recovery_threshold, p.for_duration, p.keep_firing_for, p.value, p.ts) x
    -- ok and not breached: nothing to step (the common case, left out in candidates/pairs above).
    where p.value is not null and (p.breach or coalesce(p.status, 'ok') <> 'ok')
  ),
  written as (
    insert into public.alert_states as a (rule_id, host_id, series, team_id, status, value, since, pending_since,
      recovering_since, evaluated_at)
    select s.rule_id, s.host_id, s.series, s.team_id, s.new_status, s.value, s.ts, s.new_pending, s.new_recovering, s.ts
    from stepped s
    on conflict (rule_id, host_id, series) do update set
      status = excluded.status,
      value = excluded.value,
      since = case when a.status = excluded.status then a.since else excluded.since end,
      pending_since = excluded.pending_since,
      recovering_since = excluded.recovering_since,
      evaluated_at = excluded.evaluated_at
  )
  -- (written runs to completion although nothing reads it: data-modifying CTEs always do.)
  select jsonb_agg(jsonb_build_object('rule_id', s.rule_id, 'host_id', s.host_id, 'series', s.series, 'event', s.event,
      'from', coalesce(s.status, 'ok'), 'to', s.new_status, 'value', s.value, 'ts', s.ts)
      order by s.rule_id, s.host_id, s.series)
  into v_steps
  from stepped s
  where s.event is not null;

  for c in
    select r as rule, x.host_id, x.series, x.event, x."from", x."to", x.value, x.ts
    from jsonb_to_recordset(coalesce(v_steps, '[]')) as x(rule_id uuid, host_id uuid, series text, event text,
      "from" text, "to" text, value double precision, ts timestamptz)
    join public.alert_rules r on r.id = x.rule_id
  loop
    return next private.record_alert_event(c.rule, c.host_id, c.event, c."from", c."to", c.value, c.ts, null, c.series);
  end loop;
end
$$;

-- Maps sample rows of p_table (a jsonb array) to points, keeps the newest per host and series (unless
-- the caller says p_rows already holds at most one row per series: the app/db triggers pass their
-- newest row per check/database), and evaluates the rules of their sources. Returns the events as
-- jsonb. Called by each sample table's statement trigger; a batch whose teams have no rule on another
-- source than host costs one index probe.
create function private.evaluate_samples(p_table text, p_rows jsonb, p_newest_only boolean default false)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_points jsonb;
  v_events jsonb;
begin
  if p_rows is null or not exists (
    select 1 from public.alert_rules r
    where r.enabled and r.kind = 'threshold' and r.source <> 'host'
      and r.team_id = any (array(select h.team_id from public.hosts h
        where h.id = any (array(select distinct (e ->> 'host_id')::uuid from jsonb_array_elements(p_rows) e))))
  ) then
    return '[]';
  end if;
  if p_newest_only then
    select jsonb_agg(p) into v_points from private.series_points(p_table, p_rows) p;
  else
    select jsonb_agg(x.p) into v_points from (
      select distinct on (p ->> 'host_id', p ->> 'source', p ->> 'series') p
      from private.series_points(p_table, p_rows) p
      order by p ->> 'host_id', p ->> 'source', p ->> 'series', (p ->> 'ts')::timestamptz desc
    ) x;
  end if;
  select coalesce(jsonb_agg(to_jsonb(ev)), '[]') into v_events from private.evaluate_rules(v_points) ev;
  return v_events;
end
$$;
comment on function private.evaluate_samples(text, jsonb, boolean) is
  'Evaluates the rules of every source reading p_table over the newest row per host and series of p_rows; returns the events.';

-- The app and database ingest triggers now evaluate rules and broadcast the events with the rows.
create or replace function private.on_app_samples_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_team record;
  v_latest jsonb;
  v_events jsonb;
begin
  update public.hosts h set last_seen_at = l.ts
  from (select n.host_id, max(n.ts) as ts from new_rows n group by n.host_id) l
  where h.id = l.host_id and (h.last_seen_at is null or h.last_seen_at < l.ts);
  select jsonb_agg(to_jsonb(l)) into v_latest
  from (select distinct on (n.host_id, n.check_name) n.* from new_rows n order by n.host_id, n.check_name, n.ts desc) l;
  v_events := private.evaluate_samples('app_samples', v_latest, true);
  for v_team in
    select h.team_id, jsonb_agg(l - 'detail') as app
    from jsonb_array_elements(v_latest) l
    join public.hosts h on h.id = (l ->> 'host_id')::uuid
    group by h.team_id
  loop
    perform realtime.send(jsonb_build_object('table', 'app_samples', 'app', v_team.app,
        'events', coalesce((select jsonb_agg(e) from jsonb_array_elements(v_events) e where (e ->> 'team_id')::uuid = v_team.team_id), '[]')),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;

create or replace function private.on_db_samples_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_team record;
  v_latest jsonb;
  v_events jsonb;
begin
  update public.hosts h set last_seen_at = l.ts
  from (select n.host_id, max(n.ts) as ts from new_rows n group by n.host_id) l
  where h.id = l.host_id and (h.last_seen_at is null or h.last_seen_at < l.ts);
  select jsonb_agg(to_jsonb(l) - 'top_statements') into v_latest
  from (select distinct on (n.host_id, n.db_name) n.* from new_rows n order by n.host_id, n.db_name, n.ts desc) l;
  v_events := private.evaluate_samples('db_samples', v_latest, true);
  for v_team in
    select h.team_id, jsonb_agg(l) as db
    from jsonb_array_elements(v_latest) l
    join public.hosts h on h.id = (l ->> 'host_id')::uuid
    group by h.team_id
  loop
    perform realtime.send(jsonb_build_object('table', 'db_samples', 'db', v_team.db,
        'events', coalesce((select jsonb_agg(e) from jsonb_array_elements(v_events) e where (e ->> 'team_id')::uuid = v_team.team_id), '[]')),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;

-- A rule switched off or deleted mid-incident closes its open alerts on every series.
create or replace function private.close_rule_alerts() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_state record;
  v_events jsonb := '[]';
  v_event public.alert_events;
begin
  for v_state in
    select * from public.alert_states s where s.rule_id = old.id and s.status in ('pending', 'firing')
  loop
    v_event := private.record_alert_event(old, v_state.host_id,
      case v_state.status when 'firing' then 'resolved' else 'cancelled' end,
      v_state.status, 'ok', v_state.value, now(),
      case tg_op when 'DELETE' then 'rule deleted' else 'rule disabled' end, v_state.series);
    v_events := v_events || to_jsonb(v_event);
  end loop;
  delete from public.alert_states s where s.rule_id = old.id;
  if jsonb_array_length(v_events) > 0 then
    perform realtime.send(jsonb_build_object('table', 'alert_rules', 'hosts', '[]'::jsonb, 'events', v_events),
      'ingest', 'team:' || old.team_id, true);
  end if;
  return case tg_op when 'DELETE' then old else null end;
end
$$;

-- Anomaly results: unchanged but for the state key (anomaly rules are host rules, series '').
create or replace function public.apply_anomaly_results(p_results jsonb)
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
    left join public.alert_states st on st.rule_id = x.rule_id and st.host_id = x.host_id and st.series = ''
    order by r.id, x.host_id
  loop
    if c.status not in ('ok', 'firing') or (c.event is not null and c.event not in ('firing', 'resolved')) then
      raise exception 'Cannot apply anomaly result: status must be ok or firing and event firing or resolved, got % / %',
        c.status, c.event using errcode = '22023';
    end if;
    insert into public.alert_states as a (rule_id, host_id, team_id, status, value, since, evaluated_at)
    values ((c.rule).id, c.host_id, (c.rule).team_id, c.status, c.value, c.ts, c.ts)
    on conflict (rule_id, host_id, series) do update set
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

revoke all on function private.record_alert_event, private.evaluate_rules, private.evaluate_samples(text, jsonb, boolean)
  from public, anon, authenticated;
