-- Every mount, block device, network interface and container as rows of its own ("host series"),
-- so charts and alert rules can address the full mount, not only the host's sums.
--
-- Agents keep sending one host_samples row per sample; its detail carries the per-mount, per-device,
-- per-interface and per-container figures (detail.mounts, .disks, .interfaces, .containers; agents
-- older than these tables already send the first three). The statement trigger host_samples_0_fan_out
-- copies them into the tables below in set-based SQL, once per insert statement: one request per batch,
-- as before. It reads the transition table, which holds only rows that were really inserted, and every
-- table has the sample's uniqueness plus its key, so a replayed batch adds nothing (exactly once).
-- The trigger's name sorts before host_samples_after_insert: it fires first, so rule evaluation there
-- can read this statement's rows.
--
-- Units as in host_samples: percentages 0–100, sizes in bytes, rates per second.
-- Tiers as for host samples: raw rows (daily partitions, team raw_retention), 1-minute and 1-hour
-- rollups (host_series_1m/_1h, min/avg/max per source, metric and key), and raw rows older than a day
-- compacted to one row per host, source, key and hour (host_series_compact).

-- Raw rows ------------------------------------------------------------------------------------

create table public.host_mount_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  mount text not null constraint host_mount_samples_mount_length check (char_length(mount) between 1 and 4096),
  device text constraint host_mount_samples_device_length check (char_length(device) <= 4096),
  fstype text constraint host_mount_samples_fstype_length check (char_length(fstype) <= 64),
  total bigint,
  used bigint,
  available bigint,
  inodes_percent real,
  percent real generated always as (case when total > 0 then (used::float8 * 100 / total)::real end) stored,
  primary key (host_id, mount, ts),
  constraint host_mount_samples_sizes_non_negative check (total >= 0 and used >= 0 and available >= 0),
  constraint host_mount_samples_inodes_percent_between_0_and_100 check (inodes_percent between 0 and 100)
) partition by range (ts);
comment on table public.host_mount_samples is
  'Usage of each mounted filesystem per host sample (fanned out from host_samples.detail.mounts); key: mount path.';
create index host_mount_samples_ts_brin on public.host_mount_samples using brin (ts);

create table public.host_disk_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  device text not null constraint host_disk_samples_device_length check (char_length(device) between 1 and 128),
  read_bps double precision,
  write_bps double precision,
  read_iops real,
  write_iops real,
  util_percent real,
  primary key (host_id, device, ts),
  constraint host_disk_samples_rates_non_negative check (read_bps >= 0 and write_bps >= 0 and read_iops >= 0 and write_iops >= 0),
  constraint host_disk_samples_util_between_0_and_100 check (util_percent between 0 and 100)
) partition by range (ts);
comment on table public.host_disk_samples is
  'I/O of each whole block device per host sample (fanned out from host_samples.detail.disks); key: device name.';
create index host_disk_samples_ts_brin on public.host_disk_samples using brin (ts);

create table public.host_interface_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  interface text not null constraint host_interface_samples_interface_length check (char_length(interface) between 1 and 64),
  rx_bps double precision,
  tx_bps double precision,
  rx_pps real,
  tx_pps real,
  rx_errors_ps real,
  tx_errors_ps real,
  primary key (host_id, interface, ts),
  constraint host_interface_samples_rates_non_negative check (
    rx_bps >= 0 and tx_bps >= 0 and rx_pps >= 0 and tx_pps >= 0 and rx_errors_ps >= 0 and tx_errors_ps >= 0
  )
) partition by range (ts);
comment on table public.host_interface_samples is
  'Traffic of each network interface per host sample (fanned out from host_samples.detail.interfaces); key: interface name.';
create index host_interface_samples_ts_brin on public.host_interface_samples using brin (ts);

create table public.container_samples (
  host_id uuid not null references public.hosts (id) on delete cascade,
  ts timestamptz not null,
  container_id text not null constraint container_samples_container_id_length check (char_length(container_id) between 1 and 128),
  name text constraint container_samples_name_length check (char_length(name) <= 256),
  image text constraint container_samples_image_length check (char_length(image) <= 512),
  cpu_percent real,
  mem_used bigint,
  -- Null when the container has no memory limit.
  mem_limit bigint,
  blk_read_bps double precision,
  blk_write_bps double precision,
  net_rx_bps double precision,
  net_tx_bps double precision,
  pids integer,
  mem_percent real generated always as (case when mem_limit > 0 then (mem_used::float8 * 100 / mem_limit)::real end) stored,
  primary key (host_id, container_id, ts),
  -- CPU is a share of one core: a container busy on 4 cores shows 400.
  constraint container_samples_counters_non_negative check (
    cpu_percent >= 0 and mem_used >= 0 and mem_limit >= 0 and blk_read_bps >= 0 and blk_write_bps >= 0
    and net_rx_bps >= 0 and net_tx_bps >= 0 and pids >= 0
  )
) partition by range (ts);
comment on table public.container_samples is
  'Each container per host sample (fanned out from host_samples.detail.containers): CPU (% of one core), memory, block I/O, network; key: container_id.';
create index container_samples_ts_brin on public.container_samples using brin (ts);

select private.ensure_daily_partitions(t, current_date - 7, current_date + 3)
from unnest(array['public.host_mount_samples', 'public.host_disk_samples', 'public.host_interface_samples',
  'public.container_samples']::regclass[]) t;

-- Fan-out from host_samples.detail ------------------------------------------------------------

-- The array at detail -> p_key, or null when absent or not an array (jsonb_to_recordset of null yields no rows).
create function private.detail_array(p_detail jsonb, p_key text) returns jsonb
language sql immutable set search_path = ''
as $$
  select case when jsonb_typeof(p_detail -> p_key) = 'array' then p_detail -> p_key end
$$;
revoke all on function private.detail_array(jsonb, text) from public, anon, authenticated;

create function private.fan_out_host_samples() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_team record;
begin
  insert into public.host_mount_samples (host_id, ts, mount, device, fstype, total, used, available, inodes_percent)
  select n.host_id, n.ts, m.mount, m.device, m.fstype, round(m."totalBytes")::bigint, round(m."usedBytes")::bigint,
    round(m."availableBytes")::bigint, m."inodesUsedPct"
  from new_rows n
  cross join lateral jsonb_to_recordset(private.detail_array(n.detail, 'mounts'))
    as m(mount text, device text, fstype text, "totalBytes" numeric, "usedBytes" numeric, "availableBytes" numeric,
      "inodesUsedPct" real)
  where m.mount is not null
  on conflict do nothing;

  insert into public.host_disk_samples (host_id, ts, device, read_bps, write_bps, read_iops, write_iops, util_percent)
  select n.host_id, n.ts, d.device, d."readBytesPerSec", d."writeBytesPerSec", d."readsPerSec", d."writesPerSec",
    least(d."utilPct", 100)
  from new_rows n
  cross join lateral jsonb_to_recordset(private.detail_array(n.detail, 'disks'))
    as d(device text, "readBytesPerSec" float8, "writeBytesPerSec" float8, "readsPerSec" real, "writesPerSec" real,
      "utilPct" real)
  where d.device is not null
  on conflict do nothing;

  insert into public.host_interface_samples (host_id, ts, interface, rx_bps, tx_bps, rx_pps, tx_pps, rx_errors_ps, tx_errors_ps)
  select n.host_id, n.ts, i.name, i."rxBytesPerSec", i."txBytesPerSec", i."rxPacketsPerSec", i."txPacketsPerSec",
    i."rxErrorsPerSec", i."txErrorsPerSec"
  from new_rows n
  cross join lateral jsonb_to_recordset(private.detail_array(n.detail, 'interfaces'))
    as i(name text, "rxBytesPerSec" float8, "txBytesPerSec" float8, "rxPacketsPerSec" real, "txPacketsPerSec" real,
      "rxErrorsPerSec" real, "txErrorsPerSec" real)
  where i.name is not null
  on conflict do nothing;

  insert into public.container_samples (host_id, ts, container_id, name, image, cpu_percent, mem_used, mem_limit,
    blk_read_bps, blk_write_bps, net_rx_bps, net_tx_bps, pids)
  select n.host_id, n.ts, c.id, c.name, c.image, c."cpuPct", round(c."memUsedBytes")::bigint,
    round(c."memLimitBytes")::bigint, c."blkReadBytesPerSec", c."blkWriteBytesPerSec", c."netRxBytesPerSec",
    c."netTxBytesPerSec", c.pids
  from new_rows n
  cross join lateral jsonb_to_recordset(private.detail_array(n.detail, 'containers'))
    as c(id text, name text, image text, "cpuPct" real, "memUsedBytes" numeric, "memLimitBytes" numeric,
      "blkReadBytesPerSec" float8, "blkWriteBytesPerSec" float8, "netRxBytesPerSec" float8, "netTxBytesPerSec" float8,
      pids integer)
  where c.id is not null
  on conflict do nothing;

  -- The live processes table: host_latest broadcasts leave detail out (it can be 64 kB), so the newest
  -- top-process list of each host goes to the team topic as its own small event, only when it is newer
  -- than the host's latest sample (this trigger fires before host_latest is updated).
  for v_team in
    select h.team_id, jsonb_agg(jsonb_build_object('host_id', l.host_id, 'ts', l.ts, 'top_processes', l.top)) as hosts
    from (
      select distinct on (n.host_id) n.host_id, n.ts, n.detail -> 'top_processes' as top
      from new_rows n order by n.host_id, n.ts desc
    ) l
    join public.hosts h on h.id = l.host_id
    left join public.host_latest hl on hl.host_id = l.host_id
    where jsonb_typeof(l.top) = 'array' and (hl.ts is null or hl.ts < l.ts)
    group by h.team_id
  loop
    perform realtime.send(jsonb_build_object('table', 'host_samples', 'processes', v_team.hosts),
      'processes', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;
comment on function private.fan_out_host_samples() is
  'Statement trigger on host_samples: copies detail.mounts/disks/interfaces/containers into their tables, broadcasts top processes.';
create trigger host_samples_0_fan_out after insert on public.host_samples
  referencing new table as new_rows
  for each statement execute function private.fan_out_host_samples();
revoke all on function private.fan_out_host_samples() from public, anon, authenticated;

-- Rollups -------------------------------------------------------------------------------------
-- Long format: one row per host, source, metric, key and bucket, so a new metric or source needs no
-- new column, and a rule or chart addresses (source, metric, key).

create table public.host_series_1m (
  host_id uuid not null references public.hosts (id) on delete cascade,
  source text not null constraint host_series_1m_source_known check (source in ('mount', 'disk', 'interface', 'container')),
  metric text not null,
  key text not null,
  bucket timestamptz not null,
  samples integer not null,
  min double precision,
  avg double precision,
  max double precision,
  primary key (host_id, source, metric, key, bucket)
);
comment on table public.host_series_1m is
  'Per-mount, per-device, per-interface and per-container metrics per minute: min, avg and max (metric = the raw table''s column).';
create index host_series_1m_bucket_brin on public.host_series_1m using brin (bucket);

create table public.host_series_1h (like public.host_series_1m including all);
alter table public.host_series_1h rename constraint host_series_1m_source_known to host_series_1h_source_known;
alter table public.host_series_1h add foreign key (host_id) references public.hosts (id) on delete cascade;
comment on table public.host_series_1h is
  'Per-mount, per-device, per-interface and per-container metrics per hour: min, avg and max.';

-- Every raw series value as (host, ts, source, metric, key, value): what rollups and compaction read.
create function private.host_series_values(p_from timestamptz, p_to timestamptz)
returns table (host_id uuid, ts timestamptz, source text, metric text, key text, value double precision)
language sql stable set search_path = ''
as $$
  select m.host_id, m.ts, 'mount', x.metric, m.mount, x.v
  from public.host_mount_samples m
  cross join lateral (values ('percent', m.percent::float8), ('used', m.used::float8), ('total', m.total::float8),
    ('available', m.available::float8), ('inodes_percent', m.inodes_percent::float8)) x(metric, v)
  where m.ts >= p_from and m.ts < p_to
  union all
  select d.host_id, d.ts, 'disk', x.metric, d.device, x.v
  from public.host_disk_samples d
  cross join lateral (values ('read_bps', d.read_bps), ('write_bps', d.write_bps), ('read_iops', d.read_iops::float8),
    ('write_iops', d.write_iops::float8), ('util_percent', d.util_percent::float8)) x(metric, v)
  where d.ts >= p_from and d.ts < p_to
  union all
  select i.host_id, i.ts, 'interface', x.metric, i.interface, x.v
  from public.host_interface_samples i
  cross join lateral (values ('rx_bps', i.rx_bps), ('tx_bps', i.tx_bps), ('rx_pps', i.rx_pps::float8),
    ('tx_pps', i.tx_pps::float8), ('rx_errors_ps', i.rx_errors_ps::float8), ('tx_errors_ps', i.tx_errors_ps::float8)) x(metric, v)
  where i.ts >= p_from and i.ts < p_to
  union all
  select c.host_id, c.ts, 'container', x.metric, c.container_id, x.v
  from public.container_samples c
  cross join lateral (values ('cpu_percent', c.cpu_percent::float8), ('mem_used', c.mem_used::float8),
    ('mem_limit', c.mem_limit::float8), ('mem_percent', c.mem_percent::float8), ('blk_read_bps', c.blk_read_bps),
    ('blk_write_bps', c.blk_write_bps), ('net_rx_bps', c.net_rx_bps), ('net_tx_bps', c.net_tx_bps),
    ('pids', c.pids::float8)) x(metric, v)
  where c.ts >= p_from and c.ts < p_to
$$;
revoke all on function private.host_series_values(timestamptz, timestamptz) from public, anon, authenticated;

-- Recomputes every bucket of the given width that starts in [p_from, p_to), like private.rollup_samples.
create function private.rollup_host_series(p_width text, p_from timestamptz, p_to timestamptz)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_from timestamptz := date_trunc(p_width, p_from);
  v_n integer;
begin
  if p_width = 'minute' then
    insert into public.host_series_1m as r (host_id, source, metric, key, bucket, samples, min, avg, max)
    select v.host_id, v.source, v.metric, v.key, date_trunc('minute', v.ts), count(*)::integer, min(v.value), avg(v.value), max(v.value)
    from private.host_series_values(v_from, p_to) v where v.value is not null
    group by 1, 2, 3, 4, 5
    on conflict (host_id, source, metric, key, bucket) do update
      set samples = excluded.samples, min = excluded.min, avg = excluded.avg, max = excluded.max;
  elsif p_width = 'hour' then
    insert into public.host_series_1h as r (host_id, source, metric, key, bucket, samples, min, avg, max)
    select v.host_id, v.source, v.metric, v.key, date_trunc('hour', v.ts), count(*)::integer, min(v.value), avg(v.value), max(v.value)
    from private.host_series_values(v_from, p_to) v where v.value is not null
    group by 1, 2, 3, 4, 5
    on conflict (host_id, source, metric, key, bucket) do update
      set samples = excluded.samples, min = excluded.min, avg = excluded.avg, max = excluded.max;
  else
    raise exception 'Cannot roll up host series: width must be minute or hour, got %', p_width using errcode = '22023';
  end if;
  get diagnostics v_n = row_count;
  return v_n;
end
$$;
comment on function private.rollup_host_series(text, timestamptz, timestamptz) is
  'Recomputes 1-minute or 1-hour rollups of mount, disk, interface and container rows for buckets starting in [p_from, p_to).';
revoke all on function private.rollup_host_series(text, timestamptz, timestamptz) from public, anon, authenticated;

-- Compaction ----------------------------------------------------------------------------------
-- Raw series rows older than a day become one row per host, source, key and hour: data holds
-- {"ts": [epoch seconds…], "<metric>": [values…], "labels": {device, fstype, name, image}} with the
-- arrays in sample order (late samples appended), stored compressed (jsonb arrays of numbers compress
-- well under TOAST's pglz). Rollups keep serving charts over those hours; the blobs keep the raw values
-- for as long as the team's raw retention.

create table public.host_series_compact (
  host_id uuid not null references public.hosts (id) on delete cascade,
  source text not null constraint host_series_compact_source_known check (source in ('mount', 'disk', 'interface', 'container')),
  key text not null,
  hour timestamptz not null,
  samples integer not null,
  data jsonb not null,
  primary key (host_id, source, key, hour)
);
comment on table public.host_series_compact is
  'Raw mount, disk, interface and container rows older than a day: per host, source, key and hour, {"ts": [...], "<metric>": [...], "labels": {...}}.';

create function private.compact_host_series(p_before timestamptz default now() - interval '1 day')
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_cutoff timestamptz := date_trunc('hour', p_before);
  v_n integer;
begin
  perform pg_advisory_xact_lock(hashtext('private.compact_host_series'));
  with blobs as (
    select v.host_id, v.source, v.key, date_trunc('hour', v.ts) as hour, v.metric,
      jsonb_agg(to_jsonb(date_part('epoch', v.ts)) order by v.ts) as ts, jsonb_agg(to_jsonb(v.value) order by v.ts) as vals,
      count(*)::integer as samples
    from private.host_series_values('-infinity', v_cutoff) v
    group by 1, 2, 3, 4, 5
  ),
  labels as (
    (select distinct on (m.host_id, m.mount, date_trunc('hour', m.ts)) m.host_id, 'mount' as source, m.mount as key,
      date_trunc('hour', m.ts) as hour, jsonb_build_object('device', m.device, 'fstype', m.fstype) as labels
    from public.host_mount_samples m where m.ts < v_cutoff order by m.host_id, m.mount, date_trunc('hour', m.ts), m.ts desc)
    union all
    (select distinct on (c.host_id, c.container_id, date_trunc('hour', c.ts)) c.host_id, 'container', c.container_id,
      date_trunc('hour', c.ts), jsonb_build_object('name', c.name, 'image', c.image)
    from public.container_samples c where c.ts < v_cutoff order by c.host_id, c.container_id, date_trunc('hour', c.ts), c.ts desc)
  ),
  merged as (
    select b.host_id, b.source, b.key, b.hour, min(b.samples) as samples,
      jsonb_build_object('ts', min(b.ts::text)::jsonb) || jsonb_object_agg(b.metric, b.vals)
        || case when min(l.labels::text) is not null then jsonb_build_object('labels', min(l.labels::text)::jsonb) else '{}' end as data
    from blobs b left join labels l using (host_id, source, key, hour)
    group by b.host_id, b.source, b.key, b.hour
  )
  insert into public.host_series_compact as c (host_id, source, key, hour, samples, data)
  select m.host_id, m.source, m.key, m.hour, m.samples, m.data from merged m
  on conflict (host_id, source, key, hour) do update set samples = c.samples + excluded.samples,
    data = (select jsonb_object_agg(k, case when k = 'labels' then excluded.data -> k
        else coalesce(c.data -> k, '[]') || (excluded.data -> k) end)
      from jsonb_object_keys(excluded.data) k);
  get diagnostics v_n = row_count;
  delete from public.host_mount_samples where ts < v_cutoff;
  delete from public.host_disk_samples where ts < v_cutoff;
  delete from public.host_interface_samples where ts < v_cutoff;
  delete from public.container_samples where ts < v_cutoff;
  return v_n;
end
$$;
comment on function private.compact_host_series(timestamptz) is
  'Packs raw mount, disk, interface and container rows older than p_before (default one day) per host, source, key and hour, then deletes them.';
revoke all on function private.compact_host_series(timestamptz) from public, anon, authenticated;

-- Maintenance (hourly, beside private.run_maintenance): partitions ahead, compaction, retention per
-- team and tier, partitions behind.
create function private.run_host_series_maintenance() returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_table regclass;
  v_created integer := 0;
  v_dropped integer := 0;
  v_deleted integer := 0;
  v_compacted integer;
  v_n integer;
  v_max_raw interval;
begin
  foreach v_table in array array['public.host_mount_samples', 'public.host_disk_samples', 'public.host_interface_samples',
    'public.container_samples']::regclass[] loop
    v_created := v_created + private.ensure_daily_partitions(v_table, current_date - 1, current_date + 3);
  end loop;
  select coalesce(max(t.raw_retention), interval '7 days') into v_max_raw from public.team_settings t;

  v_compacted := private.compact_host_series(now() - interval '1 day');

  delete from public.host_series_compact c using public.hosts h, public.team_settings t
  where h.id = c.host_id and t.team_id = h.team_id and c.hour < now() - t.raw_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.host_series_1m r using public.hosts h, public.team_settings t
  where h.id = r.host_id and t.team_id = h.team_id and r.bucket < now() - t.minute_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.host_series_1h r using public.hosts h, public.team_settings t
  where h.id = r.host_id and t.team_id = h.team_id and r.bucket < now() - t.hour_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;

  -- Partitions go with host_samples' (the longest raw retention), and only once compaction emptied
  -- them: a replayed host sample must always find its fan-out partitions.
  foreach v_table in array array['public.host_mount_samples', 'public.host_disk_samples', 'public.host_interface_samples',
    'public.container_samples']::regclass[] loop
    v_dropped := v_dropped + private.drop_daily_partitions_before(v_table, (now() - v_max_raw)::date, true);
  end loop;
  return jsonb_build_object('partitions_created', v_created, 'hours_compacted', v_compacted,
    'rows_deleted', v_deleted, 'partitions_dropped', v_dropped);
end
$$;
comment on function private.run_host_series_maintenance() is
  'Mount, disk, interface and container rows: partitions ahead, compaction after a day, retention per team, empty partitions dropped.';
revoke all on function private.run_host_series_maintenance() from public, anon, authenticated;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-series-rollup-minute', '* * * * *',
      $job$select private.rollup_host_series('minute', now() - interval '10 minutes', now())$job$);
    perform cron.schedule('vibe-series-rollup-hour', '5 * * * *',
      $job$select private.rollup_host_series('hour', now() - interval '3 hours', now())$job$);
    perform cron.schedule('vibe-series-maintenance', '20 * * * *', $job$select private.run_host_series_maintenance()$job$);
  end if;
end
$$;

-- RLS: members read their team's rows, an agent its own host's; nobody writes but the trigger and
-- the maintenance functions (security definer). ------------------------------------------------

alter table public.host_mount_samples enable row level security;
alter table public.host_disk_samples enable row level security;
alter table public.host_interface_samples enable row level security;
alter table public.container_samples enable row level security;
alter table public.host_series_1m enable row level security;
alter table public.host_series_1h enable row level security;
alter table public.host_series_compact enable row level security;

create policy "Members can read their team's mount samples" on public.host_mount_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's mount samples" on public.host_mount_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Members can read their team's disk samples" on public.host_disk_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's disk samples" on public.host_disk_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Members can read their team's interface samples" on public.host_interface_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's interface samples" on public.host_interface_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Members can read their team's container samples" on public.container_samples
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's container samples" on public.container_samples
  for select to authenticated using (host_id = (select private.agent_host_id()));
create policy "Members can read their team's 1-minute series rollups" on public.host_series_1m
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Members can read their team's 1-hour series rollups" on public.host_series_1h
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Members can read their team's compacted series" on public.host_series_compact
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));

grant select on public.host_mount_samples, public.host_disk_samples, public.host_interface_samples,
  public.container_samples, public.host_series_1m, public.host_series_1h, public.host_series_compact to authenticated;
grant all on public.host_mount_samples, public.host_disk_samples, public.host_interface_samples,
  public.container_samples, public.host_series_1m, public.host_series_1h, public.host_series_compact to service_role;
