-- Rollups at 1 minute and 1 hour (min, avg, max; p95 for latency), recomputed idempotently from raw
-- samples by private.rollup_samples (scheduled every minute and every hour), so late samples are
-- folded in when their bucket is recomputed. The host metrics rolled up, their columns and the
-- upserts come from the host metric catalogue (private.host_metrics, rollup_type not null).

create table public.host_samples_1m (
  host_id uuid not null references public.hosts (id) on delete cascade,
  bucket timestamptz not null,
  samples integer not null,
  -- <metric>_min, <metric>_avg, <metric>_max per rolled-up metric: added by private.generate_rollups()
  primary key (host_id, bucket)
);
comment on table public.host_samples_1m is 'Host metrics per minute: min, avg and max of each rolled-up metric.';
create index host_samples_1m_bucket_brin on public.host_samples_1m using brin (bucket);

create table public.app_samples_1m (
  host_id uuid not null references public.hosts (id) on delete cascade,
  check_name text not null,
  bucket timestamptz not null,
  samples integer not null,
  up_ratio real,
  latency_min real, latency_avg real, latency_max real, latency_p95 real,
  latency_p95_avg real, latency_p95_max real,
  throughput_rps_avg real, throughput_rps_max real,
  error_rate_avg real, error_rate_max real,
  primary key (host_id, check_name, bucket)
);
comment on table public.app_samples_1m is 'Checks and RED metrics per minute: latency min/avg/max/p95 (ms), throughput, error rate, share of up samples.';
create index app_samples_1m_bucket_brin on public.app_samples_1m using brin (bucket);

create table public.host_samples_1h (
  host_id uuid not null references public.hosts (id) on delete cascade,
  bucket timestamptz not null,
  samples integer not null,
  -- <metric>_min, <metric>_avg, <metric>_max per rolled-up metric: added by private.generate_rollups()
  primary key (host_id, bucket)
);
comment on table public.host_samples_1h is 'Host metrics per hour: min, avg and max of each rolled-up metric.';
create index host_samples_1h_bucket_brin on public.host_samples_1h using brin (bucket);

create table public.app_samples_1h (
  host_id uuid not null references public.hosts (id) on delete cascade,
  check_name text not null,
  bucket timestamptz not null,
  samples integer not null,
  up_ratio real,
  latency_min real, latency_avg real, latency_max real, latency_p95 real,
  latency_p95_avg real, latency_p95_max real,
  throughput_rps_avg real, throughput_rps_max real,
  error_rate_avg real, error_rate_max real,
  primary key (host_id, check_name, bucket)
);
comment on table public.app_samples_1h is 'Checks and RED metrics per hour: latency min/avg/max/p95 (ms), throughput, error rate, share of up samples.';
create index app_samples_1h_bucket_brin on public.app_samples_1h using brin (bucket);

-- Adds the missing rollup columns of each rolled-up catalogue metric and (re)creates
-- private.rollup_samples, which recomputes every bucket of the given width that starts in [p_from, p_to).
-- The host upserts are spelled out per width, as static SQL: planned once per session like hand-written code.
create procedure private.generate_rollups()
language plpgsql set search_path = ''
as $gen$
declare
  v_table text;
  v_kind text;
  v_metric record;
  v_cols text := private.host_metric_list($$format('%1$I_min, %1$I_avg, %1$I_max', m.name)$$, e',\n    ',
    'm.rollup_type is not null');
  v_aggs text := private.host_metric_list(
    $$format('min(s.%1$I)::%2$s, avg(s.%1$I)::%2$s, max(s.%1$I)::%2$s', m.name, case m.rollup_type when 'real' then 'real' else 'float8' end)$$,
    e',\n    ', 'm.rollup_type is not null');
  v_sets text := private.host_metric_list(
    $$format('%1$I_min = excluded.%1$I_min, %1$I_avg = excluded.%1$I_avg, %1$I_max = excluded.%1$I_max', m.name)$$,
    e',\n    ', 'm.rollup_type is not null');
  v_upsert text := $u$
    insert into public.host_samples_%1$s as r (host_id, bucket, samples,
    %3$s)
    select s.host_id, date_trunc('%2$s', s.ts), count(*)::integer,
    %4$s
    from public.host_samples s
    where s.ts >= v_from and s.ts < p_to
    group by s.host_id, date_trunc('%2$s', s.ts)
    on conflict (host_id, bucket) do update set samples = excluded.samples,
    %5$s;$u$;
begin
  foreach v_table in array array['public.host_samples_1m', 'public.host_samples_1h'] loop
    for v_metric in select m.name, m.rollup_type from private.host_metrics m where m.rollup_type is not null order by m.ord loop
      foreach v_kind in array array['min', 'avg', 'max'] loop
        execute format('alter table %s add column if not exists %I %s', v_table, v_metric.name || '_' || v_kind, v_metric.rollup_type);
      end loop;
    end loop;
  end loop;

  execute format($ddl$
create or replace function private.rollup_samples(p_width text, p_from timestamptz, p_to timestamptz)
returns integer
language plpgsql security definer set search_path = ''
as $fn$
declare
  v_rows integer := 0;
  v_n integer;
  v_from timestamptz := date_trunc(p_width, p_from);
begin
  if p_width not in ('minute', 'hour') then
    raise exception 'Cannot roll up: width must be minute or hour, got %%', p_width using errcode = '22023';
  end if;
  if p_width = 'minute' then%s
  else%s
  end if;
  get diagnostics v_n = row_count;
  v_rows := v_rows + v_n;

  execute format($q$
    insert into public.app_samples_%%s (host_id, check_name, bucket, samples, up_ratio,
      latency_min, latency_avg, latency_max, latency_p95, latency_p95_avg, latency_p95_max,
      throughput_rps_avg, throughput_rps_max, error_rate_avg, error_rate_max)
    select a.host_id, a.check_name, date_trunc(%%L, a.ts), count(*)::integer,
      (count(*) filter (where a.status = 'up'))::real / count(*),
      min(a.latency_ms), avg(a.latency_ms)::real, max(a.latency_ms),
      (percentile_cont(0.95) within group (order by a.latency_ms))::real,
      avg(a.latency_p95_ms)::real, max(a.latency_p95_ms),
      avg(a.throughput_rps)::real, max(a.throughput_rps), avg(a.error_rate)::real, max(a.error_rate)
    from public.app_samples a
    where a.ts >= $1 and a.ts < $2
    group by a.host_id, a.check_name, date_trunc(%%L, a.ts)
    on conflict (host_id, check_name, bucket) do update set samples = excluded.samples, up_ratio = excluded.up_ratio,
      latency_min = excluded.latency_min, latency_avg = excluded.latency_avg, latency_max = excluded.latency_max,
      latency_p95 = excluded.latency_p95, latency_p95_avg = excluded.latency_p95_avg,
      latency_p95_max = excluded.latency_p95_max, throughput_rps_avg = excluded.throughput_rps_avg,
      throughput_rps_max = excluded.throughput_rps_max, error_rate_avg = excluded.error_rate_avg,
      error_rate_max = excluded.error_rate_max
  $q$, case p_width when 'minute' then '1m' else '1h' end, p_width, p_width) using v_from, p_to;
  get diagnostics v_n = row_count;
  return v_rows + v_n;
end
$fn$$ddl$,
    format(v_upsert, '1m', 'minute', v_cols, v_aggs, v_sets),
    format(v_upsert, '1h', 'hour', v_cols, v_aggs, v_sets));
  -- Server-only (pg_cron), run as the owner.
  revoke all on function private.rollup_samples(text, timestamptz, timestamptz) from public, anon, authenticated;
end
$gen$;
revoke all on procedure private.generate_rollups() from public;
call private.generate_rollups();
comment on function private.rollup_samples(text, timestamptz, timestamptz) is
  'Recomputes 1-minute or 1-hour rollups of host and app samples for buckets starting in [p_from, p_to).';

alter table public.host_samples_1m enable row level security;
alter table public.host_samples_1h enable row level security;
alter table public.app_samples_1m enable row level security;
alter table public.app_samples_1h enable row level security;
create policy "Members can read their team's 1-minute host rollups" on public.host_samples_1m
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Members can read their team's 1-hour host rollups" on public.host_samples_1h
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Members can read their team's 1-minute app rollups" on public.app_samples_1m
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Members can read their team's 1-hour app rollups" on public.app_samples_1h
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));

grant select on public.host_samples_1m, public.host_samples_1h, public.app_samples_1m, public.app_samples_1h to authenticated;
grant all on public.host_samples_1m, public.host_samples_1h, public.app_samples_1m, public.app_samples_1h to service_role;
