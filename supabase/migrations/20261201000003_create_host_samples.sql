-- Host metrics: raw samples partitioned by day, and the latest snapshot per host.
--
-- Units: percentages 0–100; sizes in bytes; rates in bytes per second (disk, network) or
-- operations per second (iops); uptime in seconds; temperatures in °C.
-- The primary key (host_id, ts) makes replays idempotent: agents insert with
-- `on conflict do nothing` (supabase-js: upsert(rows, { ignoreDuplicates: true })).

-- Daily range partitions, shared by every time-partitioned sample table -------------------------

create function private.ensure_daily_partitions(p_parent regclass, p_from date, p_to date)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_day date;
  v_name text;
  v_schema text;
  v_table text;
  v_created integer := 0;
begin
  select n.nspname, c.relname into v_schema, v_table
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where c.oid = p_parent;
  v_day := p_from;
  while v_day <= p_to loop
    v_name := v_table || '_p' || to_char(v_day, 'YYYYMMDD');
    if to_regclass(format('%I.%I', v_schema, v_name)) is null then
      execute format(
        'create table %I.%I partition of %I.%I for values from (%L) to (%L)',
        v_schema, v_name, v_schema, v_table,
        (v_day::timestamp at time zone 'UTC'), ((v_day + 1)::timestamp at time zone 'UTC')
      );
      v_created := v_created + 1;
    end if;
    v_day := v_day + 1;
  end loop;
  return v_created;
end
$$;
comment on function private.ensure_daily_partitions(regclass, date, date) is
  'Creates the missing daily partitions <table>_pYYYYMMDD (UTC days) of a range-partitioned table.';

create function private.drop_daily_partitions_before(p_parent regclass, p_before date, p_only_empty boolean default false)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_part record;
  v_dropped integer := 0;
  v_empty boolean;
begin
  for v_part in
    select n.nspname as schema_name, c.relname as table_name
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where i.inhparent = p_parent and c.relname ~ '_p[0-9]{8}$'
      and to_date(right(c.relname, 8), 'YYYYMMDD') < p_before
  loop
    if p_only_empty then
      execute format('select not exists (select 1 from %I.%I)', v_part.schema_name, v_part.table_name) into v_empty;
      continue when not v_empty;
    end if;
    execute format('drop table %I.%I', v_part.schema_name, v_part.table_name);
    v_dropped := v_dropped + 1;
  end loop;
  return v_dropped;
end
$$;
comment on function private.drop_daily_partitions_before(regclass, date, boolean) is
  'Drops daily partitions whose whole day lies before p_before (only empty ones when p_only_empty).';
-- Server-only (migrations, pg_cron maintenance), run as the owner.
revoke all on function private.ensure_daily_partitions(regclass, date, date),
  private.drop_daily_partitions_before(regclass, date, boolean) from public, anon, authenticated;

-- Raw samples ---------------------------------------------------------------------------------

create table public.host_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  cpu_total real,
  cpu_user real,
  cpu_system real,
  cpu_iowait real,
  cpu_steal real,
  cpu_cores real[],
  cpu_count smallint,
  load_1 real,
  load_5 real,
  load_15 real,
  mem_total bigint,
  mem_used bigint,
  mem_available bigint,
  swap_total bigint,
  swap_used bigint,
  disk_total bigint,
  disk_used bigint,
  disk_read_bps double precision,
  disk_write_bps double precision,
  disk_read_iops real,
  disk_write_iops real,
  net_rx_bps double precision,
  net_tx_bps double precision,
  net_connections integer,
  uptime_s bigint,
  process_count integer,
  temp_c real,
  detail jsonb,
  mem_percent real generated always as (case when mem_total > 0 then (mem_used::float8 * 100 / mem_total)::real end) stored,
  swap_percent real generated always as (case when swap_total > 0 then (swap_used::float8 * 100 / swap_total)::real end) stored,
  disk_percent real generated always as (case when disk_total > 0 then (disk_used::float8 * 100 / disk_total)::real end) stored,
  primary key (host_id, ts),
  constraint host_samples_ts_at_most_5_minutes_ahead check (ts <= now() + interval '5 minutes'),
  constraint host_samples_cpu_percentages_between_0_and_100 check (
    cpu_total between 0 and 100 and cpu_user between 0 and 100 and cpu_system between 0 and 100
    and cpu_iowait between 0 and 100 and cpu_steal between 0 and 100
  ),
  constraint host_samples_cpu_cores_between_0_and_100 check (
    cardinality(cpu_cores) <= 1024 and 0 <= all (cpu_cores) and 100 >= all (cpu_cores)
  ),
  constraint host_samples_counters_non_negative check (
    cpu_count >= 0 and load_1 >= 0 and load_5 >= 0 and load_15 >= 0
    and mem_total >= 0 and mem_used >= 0 and mem_available >= 0 and swap_total >= 0 and swap_used >= 0
    and disk_total >= 0 and disk_used >= 0 and disk_read_bps >= 0 and disk_write_bps >= 0
    and disk_read_iops >= 0 and disk_write_iops >= 0 and net_rx_bps >= 0 and net_tx_bps >= 0
    and net_connections >= 0 and uptime_s >= 0 and process_count >= 0
  ),
  constraint host_samples_used_not_above_total check (
    mem_used <= mem_total and mem_available <= mem_total and swap_used <= swap_total and disk_used <= disk_total
  ),
  constraint host_samples_temperature_plausible check (temp_c between -100 and 250),
  constraint host_samples_detail_at_most_64kb check (jsonb_typeof(detail) = 'object' and pg_column_size(detail) <= 65536)
) partition by range (ts);
comment on table public.host_samples is
  'Raw host metrics, one row per host and sample time; daily partitions; detail = {mounts:[…], interfaces:[…], sensors:{…}}.';
-- Cross-host time scans (rollups, retention) read partitions in ts order; BRIN is tiny for that.
create index host_samples_ts_brin on public.host_samples using brin (ts);

select private.ensure_daily_partitions('public.host_samples', current_date - 7, current_date + 3);

-- The host metric catalogue -------------------------------------------------------------------
-- Every numeric host_samples column, once, with what the later tiers need to know about it. The code
-- that lists metrics is generated from these rows when its migration runs (plain SQL afterwards, so no
-- lookup per call): the rollup columns and private.rollup_samples, the compacted blob format
-- (private.encode_host_hour, private.decode_host_hour), metrics_range, the anomaly helpers and the
-- metric checks on alert_rules. Adding a metric is one row here plus its host_samples column, then
-- `call private.generate_host_metric_code()` in the same migration.

create table private.host_metrics (
  name text primary key,
  -- Listing order: rollup columns, metrics_range columns, rule checks.
  ord smallint not null unique,
  value_type text not null constraint host_metrics_value_type_known
    check (value_type in ('timestamptz', 'real', 'double precision', 'smallint', 'integer', 'bigint')),
  -- Series number in a compacted blob (1 = ts, in this order forever: blobs do not name their columns);
  -- null for columns not kept there (recomputed percentages).
  compact_column smallint unique,
  -- Quantisation step in blobs, in the column's unit (0.001 for ts = 1 ms); decoded values are within half a step.
  step numeric constraint host_metrics_step_positive check (step > 0),
  -- A generated percentage: {used, total} columns it is computed from (used * 100 / total).
  percent_of text[] constraint host_metrics_percent_of_pair check (cardinality(percent_of) = 2),
  -- Type of the <name>_min/_avg/_max rollup columns; null when not rolled up (nor in metrics_range
  -- or anomaly rules).
  rollup_type text constraint host_metrics_rollup_type_known check (rollup_type in ('real', 'double precision')),
  -- metrics_range also returns <name>_max next to the average.
  range_max boolean not null default false,
  -- Threshold rules may watch it (alert_rules.metric).
  alertable boolean not null default false,
  constraint host_metrics_stored_or_derived check ((compact_column is null) = (percent_of is not null)),
  constraint host_metrics_compacted_have_step check ((compact_column is null) = (step is null))
);
comment on table private.host_metrics is
  'The host metric catalogue: one row per numeric host_samples column; metric lists in SQL are generated from it.';
revoke all on private.host_metrics from public, anon, authenticated, service_role;

insert into private.host_metrics (name, ord, value_type, compact_column, step, percent_of, rollup_type, range_max, alertable) values
  ('ts',               0, 'timestamptz',       1, 0.001, null, null, false, false),
  ('cpu_total',        1, 'real',              2, 0.01,  null, 'real', true, true),
  ('cpu_user',         2, 'real',              3, 0.01,  null, null, false, true),
  ('cpu_system',       3, 'real',              4, 0.01,  null, null, false, true),
  ('cpu_iowait',       4, 'real',              5, 0.01,  null, 'real', false, true),
  ('cpu_steal',        5, 'real',              6, 0.01,  null, null, false, true),
  ('cpu_count',        6, 'smallint',          7, 1,     null, null, false, false),
  ('load_1',           7, 'real',              8, 0.01,  null, 'real', false, true),
  ('load_5',           8, 'real',              9, 0.01,  null, null, false, true),
  ('load_15',          9, 'real',             10, 0.01,  null, null, false, true),
  ('mem_total',       10, 'bigint',           11, 1024,  null, null, false, false),
  ('mem_used',        11, 'bigint',           12, 1024,  null, null, false, false),
  ('mem_available',   12, 'bigint',           13, 1024,  null, null, false, false),
  ('swap_total',      13, 'bigint',           14, 1024,  null, null, false, false),
  ('swap_used',       14, 'bigint',           15, 1024,  null, null, false, false),
  ('disk_total',      15, 'bigint',           16, 1024,  null, null, false, false),
  ('disk_used',       16, 'bigint',           17, 1024,  null, null, false, false),
  ('mem_percent',     17, 'real',           null, null,  '{mem_used,mem_total}', 'real', false, true),
  ('swap_percent',    18, 'real',           null, null,  '{swap_used,swap_total}', 'real', false, true),
  ('disk_percent',    19, 'real',           null, null,  '{disk_used,disk_total}', 'real', false, true),
  ('disk_read_bps',   20, 'double precision', 18, 1,     null, 'double precision', false, true),
  ('disk_write_bps',  21, 'double precision', 19, 1,     null, 'double precision', false, true),
  ('disk_read_iops',  22, 'real',             20, 0.1,   null, null, false, true),
  ('disk_write_iops', 23, 'real',             21, 0.1,   null, null, false, true),
  ('net_rx_bps',      24, 'double precision', 22, 1,     null, 'double precision', false, true),
  ('net_tx_bps',      25, 'double precision', 23, 1,     null, 'double precision', false, true),
  ('net_connections', 26, 'integer',          24, 1,     null, 'real', false, true),
  ('uptime_s',        27, 'bigint',           25, 1,     null, null, false, false),
  ('process_count',   28, 'integer',          26, 1,     null, null, false, true),
  ('temp_c',          29, 'real',             27, 0.1,   null, 'real', false, true);

-- Joins one text per catalogue row matching p_where (SQL over the row m), in listing order: p_expr is
-- SQL over m too, e.g. format('%I_avg', m.name). Used by the generators, at migration time only.
create function private.host_metric_list(p_expr text, p_sep text, p_where text default 'true', p_order text default 'm.ord')
returns text
language plpgsql stable set search_path = ''
as $$
declare
  v text;
begin
  execute format('select string_agg(%s, %L order by %s) from private.host_metrics m where %s', p_expr, p_sep, p_order, p_where)
    into v;
  return coalesce(v, '');
end
$$;
comment on function private.host_metric_list(text, text, text, text) is
  'Code generation from the host metric catalogue: one text per matching row, joined in listing order.';
revoke all on function private.host_metric_list(text, text, text, text) from public;

-- Regenerates everything that lists host metrics, after a migration changed the catalogue:
-- the alert_rules metric checks, rollup columns and upserts, the compacted blob codec, metrics_range
-- and the anomaly helpers (each generator lives with its feature's migration).
create procedure private.generate_host_metric_code()
language plpgsql set search_path = ''
as $$
begin
  call private.generate_alert_rule_checks();
  call private.generate_rollups();
  call private.generate_compaction();
  call private.generate_metrics_range();
  call private.generate_anomaly_helpers();
end
$$;
revoke all on procedure private.generate_host_metric_code() from public;

-- Latest snapshot -----------------------------------------------------------------------------

create table public.host_latest (
  like public.host_samples including defaults including generated including constraints,
  team_id uuid not null references public.teams (id) on delete cascade,
  updated_at timestamptz not null default now()
);
alter table public.host_latest add primary key (host_id);
alter table public.host_latest add foreign key (host_id) references public.hosts (id) on delete cascade;
create index host_latest_team_id_idx on public.host_latest (team_id);
comment on table public.host_latest is 'The newest sample of each host, maintained by the ingest trigger.';

-- RLS -----------------------------------------------------------------------------------------
alter table public.host_samples enable row level security;
alter table public.host_latest enable row level security;

create policy "Members can read their team's host samples" on public.host_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's samples" on public.host_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Agents can insert samples for their own host" on public.host_samples
  for insert to authenticated with check (host_id = (select private.agent_host_id()));

create policy "Members can read their team's latest host samples" on public.host_latest
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Agents can read their own host's latest sample" on public.host_latest
  for select to authenticated using (host_id = (select private.agent_host_id()));

grant select, insert on public.host_samples to authenticated;
grant select on public.host_latest to authenticated;
grant all on public.host_samples, public.host_latest to service_role;
