-- Rollups at 1 minute and 1 hour (min, avg, max; p95 for latency), recomputed idempotently from raw
-- samples by private.rollup_samples (scheduled every minute and every hour), so late samples are
-- folded in when their bucket is recomputed.

create table public.host_samples_1m (
  host_id uuid not null references public.hosts (id) on delete cascade,
  bucket timestamptz not null,
  samples integer not null,
  cpu_total_min real, cpu_total_avg real, cpu_total_max real,
  cpu_iowait_min real, cpu_iowait_avg real, cpu_iowait_max real,
  load_1_min real, load_1_avg real, load_1_max real,
  mem_percent_min real, mem_percent_avg real, mem_percent_max real,
  swap_percent_min real, swap_percent_avg real, swap_percent_max real,
  disk_percent_min real, disk_percent_avg real, disk_percent_max real,
  disk_read_bps_min double precision, disk_read_bps_avg double precision, disk_read_bps_max double precision,
  disk_write_bps_min double precision, disk_write_bps_avg double precision, disk_write_bps_max double precision,
  net_rx_bps_min double precision, net_rx_bps_avg double precision, net_rx_bps_max double precision,
  net_tx_bps_min double precision, net_tx_bps_avg double precision, net_tx_bps_max double precision,
  net_connections_min real, net_connections_avg real, net_connections_max real,
  temp_c_min real, temp_c_avg real, temp_c_max real,
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
  cpu_total_min real, cpu_total_avg real, cpu_total_max real,
  cpu_iowait_min real, cpu_iowait_avg real, cpu_iowait_max real,
  load_1_min real, load_1_avg real, load_1_max real,
  mem_percent_min real, mem_percent_avg real, mem_percent_max real,
  swap_percent_min real, swap_percent_avg real, swap_percent_max real,
  disk_percent_min real, disk_percent_avg real, disk_percent_max real,
  disk_read_bps_min double precision, disk_read_bps_avg double precision, disk_read_bps_max double precision,
  disk_write_bps_min double precision, disk_write_bps_avg double precision, disk_write_bps_max double precision,
  net_rx_bps_min double precision, net_rx_bps_avg double precision, net_rx_bps_max double precision,
  net_tx_bps_min double precision, net_tx_bps_avg double precision, net_tx_bps_max double precision,
  net_connections_min real, net_connections_avg real, net_connections_max real,
  temp_c_min real, temp_c_avg real, temp_c_max real,
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

-- Recomputes every bucket of the given width that starts in [p_from, p_to).
create function private.rollup_samples(p_width text, p_from timestamptz, p_to timestamptz)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_rows integer := 0;
  v_n integer;
  v_from timestamptz := date_trunc(p_width, p_from);
begin
  if p_width not in ('minute', 'hour') then
    raise exception 'Cannot roll up: width must be minute or hour, got %', p_width using errcode = '22023';
  end if;
  if p_width = 'minute' then
    insert into public.host_samples_1m as r (host_id, bucket, samples,
    cpu_total_min, cpu_total_avg, cpu_total_max,
    cpu_iowait_min, cpu_iowait_avg, cpu_iowait_max,
    load_1_min, load_1_avg, load_1_max,
    mem_percent_min, mem_percent_avg, mem_percent_max,
    swap_percent_min, swap_percent_avg, swap_percent_max,
    disk_percent_min, disk_percent_avg, disk_percent_max,
    disk_read_bps_min, disk_read_bps_avg, disk_read_bps_max,
    disk_write_bps_min, disk_write_bps_avg, disk_write_bps_max,
    net_rx_bps_min, net_rx_bps_avg, net_rx_bps_max,
    net_tx_bps_min, net_tx_bps_avg, net_tx_bps_max,
    net_connections_min, net_connections_avg, net_connections_max,
    temp_c_min, temp_c_avg, temp_c_max)
    select s.host_id, date_trunc('minute', s.ts), count(*)::integer,
    min(s.cpu_total)::real, avg(s.cpu_total)::real, max(s.cpu_total)::real,
    min(s.cpu_iowait)::real, avg(s.cpu_iowait)::real, max(s.cpu_iowait)::real,
    min(s.load_1)::real, avg(s.load_1)::real, max(s.load_1)::real,
    min(s.mem_percent)::real, avg(s.mem_percent)::real, max(s.mem_percent)::real,
    min(s.swap_percent)::real, avg(s.swap_percent)::real, max(s.swap_percent)::real,
    min(s.disk_percent)::real, avg(s.disk_percent)::real, max(s.disk_percent)::real,
    min(s.disk_read_bps)::float8, avg(s.disk_read_bps)::float8, max(s.disk_read_bps)::float8,
    min(s.disk_write_bps)::float8, avg(s.disk_write_bps)::float8, max(s.disk_write_bps)::float8,
    min(s.net_rx_bps)::float8, avg(s.net_rx_bps)::float8, max(s.net_rx_bps)::float8,
    min(s.net_tx_bps)::float8, avg(s.net_tx_bps)::float8, max(s.net_tx_bps)::float8,
    min(s.net_connections)::real, avg(s.net_connections)::real, max(s.net_connections)::real,
    min(s.temp_c)::real, avg(s.temp_c)::real, max(s.temp_c)::real
    from public.host_samples s
    where s.ts >= v_from and s.ts < p_to
    group by s.host_id, date_trunc('minute', s.ts)
    on conflict (host_id, bucket) do update set samples = excluded.samples,
    cpu_total_min = excluded.cpu_total_min, cpu_total_avg = excluded.cpu_total_avg, cpu_total_max = excluded.cpu_total_max,
    cpu_iowait_min = excluded.cpu_iowait_min, cpu_iowait_avg = excluded.cpu_iowait_avg, cpu_iowait_max = excluded.cpu_iowait_max,
    load_1_min = excluded.load_1_min, load_1_avg = excluded.load_1_avg, load_1_max = excluded.load_1_max,
    mem_percent_min = excluded.mem_percent_min, mem_percent_avg = excluded.mem_percent_avg, mem_percent_max = excluded.mem_percent_max,
    swap_percent_min = excluded.swap_percent_min, swap_percent_avg = excluded.swap_percent_avg, swap_percent_max = excluded.swap_percent_max,
    disk_percent_min = excluded.disk_percent_min, disk_percent_avg = excluded.disk_percent_avg, disk_percent_max = excluded.disk_percent_max,
    disk_read_bps_min = excluded.disk_read_bps_min, disk_read_bps_avg = excluded.disk_read_bps_avg, disk_read_bps_max = excluded.disk_read_bps_max,
    disk_write_bps_min = excluded.disk_write_bps_min, disk_write_bps_avg = excluded.disk_write_bps_avg, disk_write_bps_max = excluded.disk_write_bps_max,
    net_rx_bps_min = excluded.net_rx_bps_min, net_rx_bps_avg = excluded.net_rx_bps_avg, net_rx_bps_max = excluded.net_rx_bps_max,
    net_tx_bps_min = excluded.net_tx_bps_min, net_tx_bps_avg = excluded.net_tx_bps_avg, net_tx_bps_max = excluded.net_tx_bps_max,
    net_connections_min = excluded.net_connections_min, net_connections_avg = excluded.net_connections_avg, net_connections_max = excluded.net_connections_max,
    temp_c_min = excluded.temp_c_min, temp_c_avg = excluded.temp_c_avg, temp_c_max = excluded.temp_c_max;
  else
    insert into public.host_samples_1h as r (host_id, bucket, samples,
    cpu_total_min, cpu_total_avg, cpu_total_max,
    cpu_iowait_min, cpu_iowait_avg, cpu_iowait_max,
    load_1_min, load_1_avg, load_1_max,
    mem_percent_min, mem_percent_avg, mem_percent_max,
    swap_percent_min, swap_percent_avg, swap_percent_max,
    disk_percent_min, disk_percent_avg, disk_percent_max,
    disk_read_bps_min, disk_read_bps_avg, disk_read_bps_max,
    disk_write_bps_min, disk_write_bps_avg, disk_write_bps_max,
    net_rx_bps_min, net_rx_bps_avg, net_rx_bps_max,
    net_tx_bps_min, net_tx_bps_avg, net_tx_bps_max,
    net_connections_min, net_connections_avg, net_connections_max,
    temp_c_min, temp_c_avg, temp_c_max)
    select s.host_id, date_trunc('hour', s.ts), count(*)::integer,
    min(s.cpu_total)::real, avg(s.cpu_total)::real, max(s.cpu_total)::real,
    min(s.cpu_iowait)::real, avg(s.cpu_iowait)::real, max(s.cpu_iowait)::real,
    min(s.load_1)::real, avg(s.load_1)::real, max(s.load_1)::real,
    min(s.mem_percent)::real, avg(s.mem_percent)::real, max(s.mem_percent)::real,
    min(s.swap_percent)::real, avg(s.swap_percent)::real, max(s.swap_percent)::real,
    min(s.disk_percent)::real, avg(s.disk_percent)::real, max(s.disk_percent)::real,
    min(s.disk_read_bps)::float8, avg(s.disk_read_bps)::float8, max(s.disk_read_bps)::float8,
    min(s.disk_write_bps)::float8, avg(s.disk_write_bps)::float8, max(s.disk_write_bps)::float8,
    min(s.net_rx_bps)::float8, avg(s.net_rx_bps)::float8, max(s.net_rx_bps)::float8,
    min(s.net_tx_bps)::float8, avg(s.net_tx_bps)::float8, max(s.net_tx_bps)::float8,
    min(s.net_connections)::real, avg(s.net_connections)::real, max(s.net_connections)::real,
    min(s.temp_c)::real, avg(s.temp_c)::real, max(s.temp_c)::real
    from public.host_samples s
    where s.ts >= v_from and s.ts < p_to
    group by s.host_id, date_trunc('hour', s.ts)
    on conflict (host_id, bucket) do update set samples = excluded.samples,
    cpu_total_min = excluded.cpu_total_min, cpu_total_avg = excluded.cpu_total_avg, cpu_total_max = excluded.cpu_total_max,
    cpu_iowait_min = excluded.cpu_iowait_min, cpu_iowait_avg = excluded.cpu_iowait_avg, cpu_iowait_max = excluded.cpu_iowait_max,
    load_1_min = excluded.load_1_min, load_1_avg = excluded.load_1_avg, load_1_max = excluded.load_1_max,
    mem_percent_min = excluded.mem_percent_min, mem_percent_avg = excluded.mem_percent_avg, mem_percent_max = excluded.mem_percent_max,
    swap_percent_min = excluded.swap_percent_min, swap_percent_avg = excluded.swap_percent_avg, swap_percent_max = excluded.swap_percent_max,
    disk_percent_min = excluded.disk_percent_min, disk_percent_avg = excluded.disk_percent_avg, disk_percent_max = excluded.disk_percent_max,
    disk_read_bps_min = excluded.disk_read_bps_min, disk_read_bps_avg = excluded.disk_read_bps_avg, disk_read_bps_max = excluded.disk_read_bps_max,
    disk_write_bps_min = excluded.disk_write_bps_min, disk_write_bps_avg = excluded.disk_write_bps_avg, disk_write_bps_max = excluded.disk_write_bps_max,
    net_rx_bps_min = excluded.net_rx_bps_min, net_rx_bps_avg = excluded.net_rx_bps_avg, net_rx_bps_max = excluded.net_rx_bps_max,
    net_tx_bps_min = excluded.net_tx_bps_min, net_tx_bps_avg = excluded.net_tx_bps_avg, net_tx_bps_max = excluded.net_tx_bps_max,
    net_connections_min = excluded.net_connections_min, net_connections_avg = excluded.net_connections_avg, net_connections_max = excluded.net_connections_max,
    temp_c_min = excluded.temp_c_min, temp_c_avg = excluded.temp_c_avg, temp_c_max = excluded.temp_c_max;
  end if;
  get diagnostics v_n = row_count;
  v_rows := v_rows + v_n;

  execute format($q$
    insert into public.app_samples_%s (host_id, check_name, bucket, samples, up_ratio,
      latency_min, latency_avg, latency_max, latency_p95, latency_p95_avg, latency_p95_max,
      throughput_rps_avg, throughput_rps_max, error_rate_avg, error_rate_max)
    select a.host_id, a.check_name, date_trunc(%L, a.ts), count(*)::integer,
      (count(*) filter (where a.status = 'up'))::real / count(*),
      min(a.latency_ms), avg(a.latency_ms)::real, max(a.latency_ms),
      (percentile_cont(0.95) within group (order by a.latency_ms))::real,
      avg(a.latency_p95_ms)::real, max(a.latency_p95_ms),
      avg(a.throughput_rps)::real, max(a.throughput_rps), avg(a.error_rate)::real, max(a.error_rate)
    from public.app_samples a
    where a.ts >= $1 and a.ts < $2
    group by a.host_id, a.check_name, date_trunc(%L, a.ts)
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
$$;
comment on function private.rollup_samples(text, timestamptz, timestamptz) is
  'Recomputes 1-minute or 1-hour rollups of host and app samples for buckets starting in [p_from, p_to).';
revoke all on function private.rollup_samples(text, timestamptz, timestamptz) from public;

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
