-- Application and database samples, partitioned by day like host_samples.
--
-- app_samples: one row per host, check and time. A "check" is either an HTTP/TCP probe
-- (status, status_code, latency_ms) or an application's RED metrics over the sample interval
-- (latency percentiles in ms, throughput in requests/s, error_rate in percent).
-- db_samples: one row per host, database and time, from pg_stat_activity/pg_stat_database/
-- pg_stat_statements; top_statements = [{queryid, query, calls, total_ms, mean_ms, rows}].

create table public.app_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  check_name text not null constraint app_samples_check_name_length check (char_length(check_name) between 1 and 100),
  kind text not null default 'http' constraint app_samples_kind_known check (kind in ('http', 'tcp', 'app')),
  target text constraint app_samples_target_length check (char_length(target) <= 2048),
  status text not null constraint app_samples_status_known check (status in ('up', 'degraded', 'down')),
  status_code integer constraint app_samples_status_code_range check (status_code between 0 and 999),
  latency_ms real,
  latency_p50_ms real,
  latency_p95_ms real,
  latency_p99_ms real,
  throughput_rps real,
  error_rate real,
  error text constraint app_samples_error_length check (char_length(error) <= 1000),
  detail jsonb constraint app_samples_detail_at_most_16kb check (jsonb_typeof(detail) = 'object' and pg_column_size(detail) <= 16384),
  -- OpenTelemetry (OTLP) rows, kind 'app': check_name stays the key ("<service> <route>", cut to 100
  -- characters with a hash); these keep the parts whole and the request count the rates came from.
  service text constraint app_samples_service_length check (char_length(service) between 1 and 100),
  route text constraint app_samples_route_length check (char_length(route) between 1 and 300),
  request_count bigint constraint app_samples_request_count_non_negative check (request_count >= 0),
  primary key (host_id, check_name, ts),
  constraint app_samples_ts_at_most_5_minutes_ahead check (ts <= now() + interval '5 minutes'),
  constraint app_samples_counters_non_negative check (
    latency_ms >= 0 and latency_p50_ms >= 0 and latency_p95_ms >= 0 and latency_p99_ms >= 0 and throughput_rps >= 0
  ),
  constraint app_samples_percentiles_ordered check (latency_p50_ms <= latency_p95_ms and latency_p95_ms <= latency_p99_ms),
  constraint app_samples_error_rate_between_0_and_100 check (error_rate between 0 and 100)
) partition by range (ts);
comment on table public.app_samples is 'HTTP/TCP checks and application RED metrics (latency ms, throughput req/s, error rate %).';
create index app_samples_ts_brin on public.app_samples using brin (ts);
comment on column public.app_samples.service is 'OpenTelemetry service.name of an application (kind app).';
comment on column public.app_samples.route is 'Route within the service: method and http.route or a normalised path ("GET /users/{id}"), or "other" past the route cap.';
comment on column public.app_samples.request_count is 'Requests in the interval the row covers (throughput_rps = request_count / interval).';
-- The host page lists a host's services and charts one over time.
create index app_samples_host_service_ts on public.app_samples (host_id, service, ts) where service is not null;
select private.ensure_daily_partitions('public.app_samples', current_date - 7, current_date + 3);

create table public.db_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  db_name text not null constraint db_samples_db_name_length check (char_length(db_name) between 1 and 100),
  engine text not null default 'postgres' constraint db_samples_engine_length check (char_length(engine) <= 40),
  connections_active integer,
  connections_idle integer,
  connections_idle_in_tx integer,
  connections_waiting integer,
  connections_total integer,
  max_connections integer,
  cache_hit_ratio real,
  xact_commit_rate real,
  xact_rollback_rate real,
  deadlocks bigint,
  size_bytes bigint,
  replication_lag_s real,
  top_statements jsonb
    constraint db_samples_top_statements_array check (jsonb_typeof(top_statements) = 'array' and pg_column_size(top_statements) <= 65536),
  primary key (host_id, db_name, ts),
  constraint db_samples_ts_at_most_5_minutes_ahead check (ts <= now() + interval '5 minutes'),
  constraint db_samples_counters_non_negative check (
    connections_active >= 0 and connections_idle >= 0 and connections_idle_in_tx >= 0 and connections_waiting >= 0
    and connections_total >= 0 and max_connections >= 0 and xact_commit_rate >= 0 and xact_rollback_rate >= 0
    and deadlocks >= 0 and size_bytes >= 0 and replication_lag_s >= 0
  ),
  constraint db_samples_connections_not_above_max check (connections_total <= max_connections),
  constraint db_samples_cache_hit_ratio_between_0_and_100 check (cache_hit_ratio between 0 and 100)
) partition by range (ts);
comment on table public.db_samples is
  'Database metrics: connections by state, cache hit ratio %, transactions/s, deadlocks, size, replication lag s, top statements.';
create index db_samples_ts_brin on public.db_samples using brin (ts);
select private.ensure_daily_partitions('public.db_samples', current_date - 7, current_date + 3);

-- RLS -----------------------------------------------------------------------------------------
alter table public.app_samples enable row level security;
alter table public.db_samples enable row level security;

create policy "Members can read their team's app samples" on public.app_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's app samples" on public.app_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Agents can insert app samples for their own host" on public.app_samples
  for insert to authenticated with check (host_id = (select private.agent_host_id()));

create policy "Members can read their team's database samples" on public.db_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's database samples" on public.db_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Agents can insert database samples for their own host" on public.db_samples
  for insert to authenticated with check (host_id = (select private.agent_host_id()));

grant select, insert on public.app_samples, public.db_samples to authenticated;
grant all on public.app_samples, public.db_samples to service_role;
