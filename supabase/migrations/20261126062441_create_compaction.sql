-- Compaction of raw host samples older than a day: per host and hour, one bytea holding every
-- numeric column, encoded as Gorilla does for timestamps and Prometheus/Facebook-style delta series:
--
--   blob   := version byte (1), varint sample count n, then one series per column in fixed order
--             (ts, cpu_total, cpu_user, cpu_system, cpu_iowait, cpu_steal, cpu_count, load_1, load_5, load_15, mem_total, mem_used, mem_available, swap_total, swap_used, disk_total, disk_used, disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops, net_rx_bps, net_tx_bps, net_connections, uptime_s, process_count, temp_c)
--   series := mode byte (0 all null | 1 no nulls | 2 null bitmap of ceil(n/8) bytes follows), then tokens
--   tokens := the column's non-null values quantized to integers, as a first value followed by
--             deltas (delta-of-deltas for ts and uptime_s, which advance regularly), each zigzag-coded;
--             a literal z is varint(z << 1), a run of k zero deltas is varint(k << 1 | 1).
--
-- Quantization (documented precision of the compacted tier): percentages and load 0.01, iops and
-- temperatures 0.1, memory/swap/disk sizes 1 KiB, rates 1 byte/s, timestamps 1 ms; cpu_cores and
-- detail are not kept. metrics_range and private.decode_host_hour read the blobs transparently.

create table public.host_samples_compact (
  host_id uuid not null references public.hosts (id) on delete cascade,
  hour timestamptz not null,
  samples integer not null,
  data bytea not null,
  primary key (host_id, hour)
);
comment on table public.host_samples_compact is
  'Raw host samples older than a day, one delta-encoded blob per host and hour; read with metrics_range or private.decode_host_hour.';
-- Blobs are already dense; skip TOAST compression and keep them readable without decompression.
alter table public.host_samples_compact alter column data set storage external;

-- One column's series (see the format above).
create function private.encode_series(p_values bigint[], p_dod boolean)
returns bytea
language plpgsql immutable set search_path = ''
as $$
declare
  n integer := coalesce(cardinality(p_values), 0);
  b integer[] := '{}';
  nb integer := 1;
  i integer;
  k integer := 0;
  v bigint;
  prev bigint;
  prev_delta bigint := 0;
  d bigint;
  u bigint;
  seen integer := 0;
  zeros integer := 0;
  nulls integer := 0;
  bits integer;
begin
  for i in 1 .. n loop
    if p_values[i] is null then nulls := nulls + 1; end if;
  end loop;
  if nulls = n then
    return '\x00'::bytea;
  end if;
  if nulls = 0 then
    b[nb] := 1; nb := nb + 1;
  else
    b[nb] := 2; nb := nb + 1;
    i := 1;
    while i <= n loop
      bits := 0;
      for k in 0 .. 7 loop
        if i + k <= n and p_values[i + k] is null then bits := bits | (1 << k); end if;
      end loop;
      b[nb] := bits; nb := nb + 1;
      i := i + 8;
    end loop;
  end if;
  for i in 1 .. n loop
    v := p_values[i];
    continue when v is null;
    seen := seen + 1;
    if seen = 1 then
      d := v;
    elsif p_dod and seen > 2 then
      d := (v - prev) - prev_delta;
      prev_delta := v - prev;
    else
      d := v - prev;
      prev_delta := d;
    end if;
    prev := v;
    if d = 0 and seen > 1 then
      zeros := zeros + 1;
      continue;
    end if;
    if zeros > 0 then
      u := (zeros::bigint << 1) | 1;
      while u >= 128 loop b[nb] := ((u & 127) | 128)::integer; nb := nb + 1; u := u >> 7; end loop;
      b[nb] := u::integer; nb := nb + 1;
      zeros := 0;
    end if;
    u := ((d << 1) # (d >> 63)) << 1;
    while u >= 128 loop b[nb] := ((u & 127) | 128)::integer; nb := nb + 1; u := u >> 7; end loop;
    b[nb] := u::integer; nb := nb + 1;
  end loop;
  if zeros > 0 then
    u := (zeros::bigint << 1) | 1;
    while u >= 128 loop b[nb] := ((u & 127) | 128)::integer; nb := nb + 1; u := u >> 7; end loop;
    b[nb] := u::integer; nb := nb + 1;
  end if;
  return decode((select string_agg(lpad(to_hex(x), 2, '0'), '' order by o) from unnest(b) with ordinality as t(x, o)), 'hex');
end
$$;

create function private.varint(p_value bigint)
returns bytea
language plpgsql immutable set search_path = ''
as $$
declare
  u bigint := p_value;
  r bytea := '';
begin
  while u >= 128 loop
    r := r || set_byte('\x00'::bytea, 0, ((u & 127) | 128)::integer);
    u := u >> 7;
  end loop;
  return r || set_byte('\x00'::bytea, 0, u::integer);
end
$$;

-- Decodes one blob back into samples (the compacted tier's columns, percentages recomputed).
create function private.decode_host_hour(p_data bytea)
returns table (
  ts timestamptz,
  cpu_total real,
  cpu_user real,
  cpu_system real,
  cpu_iowait real,
  cpu_steal real,
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
  mem_percent real, swap_percent real, disk_percent real
)
language plpgsql immutable set search_path = ''
as $$
declare
  buf bytea := p_data || ''::bytea;  -- one detoasted copy; get_byte on it is O(1)
  dods boolean[] := '{true,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,false,true,false,false}';
  ncols integer := 27;
  pos integer := 1;
  n integer := 0;
  v bigint[] := '{}';
  present boolean[];
  c integer;
  i integer;
  mode integer;
  u bigint;
  shift integer;
  byte integer;
  cur bigint;
  delta bigint;
  d bigint;
  seen integer;
  run bigint;
  nvals integer;
  k integer;
begin
  if get_byte(buf, 0) <> 1 then
    raise exception 'Cannot decode compacted samples: unknown format version %', get_byte(buf, 0);
  end if;
  -- sample count
  u := 0; shift := 0;
  loop
    byte := get_byte(buf, pos); pos := pos + 1;
    u := u | ((byte & 127)::bigint << shift); shift := shift + 7;
    exit when byte < 128;
  end loop;
  n := u;
  for c in 0 .. ncols - 1 loop
    mode := get_byte(buf, pos); pos := pos + 1;
    present := array_fill(mode <> 0, array[n]);
    if mode = 2 then
      for i in 0 .. n - 1 loop
        if (get_byte(buf, pos + i / 8) >> (i % 8)) & 1 = 1 then present[i + 1] := false; end if;
      end loop;
      pos := pos + (n + 7) / 8;
    end if;
    nvals := 0;
    for i in 1 .. n loop
      if present[i] then nvals := nvals + 1; end if;
    end loop;
    seen := 0; run := 0; cur := 0; delta := 0;
    for i in 1 .. n loop
      if not present[i] then
        v[c * n + i] := null;
        continue;
      end if;
      seen := seen + 1;
      if run > 0 then
        d := 0; run := run - 1;
      else
        u := 0; shift := 0;
        loop
          byte := get_byte(buf, pos); pos := pos + 1;
          u := u | ((byte & 127)::bigint << shift); shift := shift + 7;
          exit when byte < 128;
        end loop;
        if u & 1 = 1 then
          run := (u >> 1) - 1; d := 0;
        else
          u := u >> 1;
          d := (u >> 1) # (-(u & 1));
        end if;
      end if;
      if seen = 1 then
        cur := d;
      elsif dods[c + 1] and seen > 2 then
        delta := delta + d; cur := cur + delta;
      else
        delta := d; cur := cur + d;
      end if;
      v[c * n + i] := cur;
    end loop;
  end loop;
  -- Row by row with return next: referencing the array from a query would copy it per reference.
  for k in 1 .. n loop
    ts := to_timestamp(v[0*n + k] / 1000.0);
    cpu_total := (v[1*n + k]::numeric / 100)::real;
    cpu_user := (v[2*n + k]::numeric / 100)::real;
    cpu_system := (v[3*n + k]::numeric / 100)::real;
    cpu_iowait := (v[4*n + k]::numeric / 100)::real;
    cpu_steal := (v[5*n + k]::numeric / 100)::real;
    cpu_count := v[6*n + k]::smallint;
    load_1 := (v[7*n + k]::numeric / 100)::real;
    load_5 := (v[8*n + k]::numeric / 100)::real;
    load_15 := (v[9*n + k]::numeric / 100)::real;
    mem_total := (v[10*n + k] * 1024)::bigint;
    mem_used := (v[11*n + k] * 1024)::bigint;
    mem_available := (v[12*n + k] * 1024)::bigint;
    swap_total := (v[13*n + k] * 1024)::bigint;
    swap_used := (v[14*n + k] * 1024)::bigint;
    disk_total := (v[15*n + k] * 1024)::bigint;
    disk_used := (v[16*n + k] * 1024)::bigint;
    disk_read_bps := v[17*n + k]::double precision;
    disk_write_bps := v[18*n + k]::double precision;
    disk_read_iops := (v[19*n + k]::numeric / 10)::real;
    disk_write_iops := (v[20*n + k]::numeric / 10)::real;
    net_rx_bps := v[21*n + k]::double precision;
    net_tx_bps := v[22*n + k]::double precision;
    net_connections := v[23*n + k]::integer;
    uptime_s := v[24*n + k]::bigint;
    process_count := v[25*n + k]::integer;
    temp_c := (v[26*n + k]::numeric / 10)::real;
    mem_percent := case when mem_total > 0 then (mem_used::float8 * 100 / mem_total)::real end;
    swap_percent := case when swap_total > 0 then (swap_used::float8 * 100 / swap_total)::real end;
    disk_percent := case when disk_total > 0 then (disk_used::float8 * 100 / disk_total)::real end;
    return next;
  end loop;
end
$$;

-- Encodes the raw samples of one host and hour (rows of host_samples ordered by ts).
create function private.encode_host_hour(p_host_id uuid, p_hour timestamptz)
returns table (samples integer, data bytea)
language sql stable set search_path = ''
as $$
  select q.n, '\x01'::bytea || private.varint(q.n) ||
    private.encode_series(q.c0, true) ||
    private.encode_series(q.c1, false) ||
    private.encode_series(q.c2, false) ||
    private.encode_series(q.c3, false) ||
    private.encode_series(q.c4, false) ||
    private.encode_series(q.c5, false) ||
    private.encode_series(q.c6, false) ||
    private.encode_series(q.c7, false) ||
    private.encode_series(q.c8, false) ||
    private.encode_series(q.c9, false) ||
    private.encode_series(q.c10, false) ||
    private.encode_series(q.c11, false) ||
    private.encode_series(q.c12, false) ||
    private.encode_series(q.c13, false) ||
    private.encode_series(q.c14, false) ||
    private.encode_series(q.c15, false) ||
    private.encode_series(q.c16, false) ||
    private.encode_series(q.c17, false) ||
    private.encode_series(q.c18, false) ||
    private.encode_series(q.c19, false) ||
    private.encode_series(q.c20, false) ||
    private.encode_series(q.c21, false) ||
    private.encode_series(q.c22, false) ||
    private.encode_series(q.c23, false) ||
    private.encode_series(q.c24, true) ||
    private.encode_series(q.c25, false) ||
    private.encode_series(q.c26, false)
  from (
    select count(*)::integer as n,
      array_agg((extract(epoch from r.ts) * 1000)::bigint order by r.ts) as c0,
      array_agg(round(r.cpu_total::numeric * 100)::bigint order by r.ts) as c1,
      array_agg(round(r.cpu_user::numeric * 100)::bigint order by r.ts) as c2,
      array_agg(round(r.cpu_system::numeric * 100)::bigint order by r.ts) as c3,
      array_agg(round(r.cpu_iowait::numeric * 100)::bigint order by r.ts) as c4,
      array_agg(round(r.cpu_steal::numeric * 100)::bigint order by r.ts) as c5,
      array_agg(round(r.cpu_count)::bigint order by r.ts) as c6,
      array_agg(round(r.load_1::numeric * 100)::bigint order by r.ts) as c7,
      array_agg(round(r.load_5::numeric * 100)::bigint order by r.ts) as c8,
      array_agg(round(r.load_15::numeric * 100)::bigint order by r.ts) as c9,
      array_agg(round(r.mem_total / 1024.0)::bigint order by r.ts) as c10,
      array_agg(round(r.mem_used / 1024.0)::bigint order by r.ts) as c11,
      array_agg(round(r.mem_available / 1024.0)::bigint order by r.ts) as c12,
      array_agg(round(r.swap_total / 1024.0)::bigint order by r.ts) as c13,
      array_agg(round(r.swap_used / 1024.0)::bigint order by r.ts) as c14,
      array_agg(round(r.disk_total / 1024.0)::bigint order by r.ts) as c15,
      array_agg(round(r.disk_used / 1024.0)::bigint order by r.ts) as c16,
      array_agg(round(r.disk_read_bps)::bigint order by r.ts) as c17,
      array_agg(round(r.disk_write_bps)::bigint order by r.ts) as c18,
      array_agg(round(r.disk_read_iops::numeric * 10)::bigint order by r.ts) as c19,
      array_agg(round(r.disk_write_iops::numeric * 10)::bigint order by r.ts) as c20,
      array_agg(round(r.net_rx_bps)::bigint order by r.ts) as c21,
      array_agg(round(r.net_tx_bps)::bigint order by r.ts) as c22,
      array_agg(round(r.net_connections)::bigint order by r.ts) as c23,
      array_agg(round(r.uptime_s)::bigint order by r.ts) as c24,
      array_agg(round(r.process_count)::bigint order by r.ts) as c25,
      array_agg(round(r.temp_c::numeric * 10)::bigint order by r.ts) as c26
    from (
      -- Raw rows win over an existing blob of the same hour, so late samples merge in.
      select distinct on (u.ts) u.* from (
        select 0 as prio,
          s.ts, s.cpu_total, s.cpu_user, s.cpu_system, s.cpu_iowait, s.cpu_steal, s.cpu_count, s.load_1,
          s.load_5, s.load_15, s.mem_total, s.mem_used, s.mem_available, s.swap_total, s.swap_used,
          s.disk_total, s.disk_used, s.disk_read_bps, s.disk_write_bps, s.disk_read_iops,
          s.disk_write_iops, s.net_rx_bps, s.net_tx_bps, s.net_connections, s.uptime_s, s.process_count,
          s.temp_c
        from public.host_samples s
        where s.host_id = p_host_id and s.ts >= p_hour and s.ts < p_hour + interval '1 hour'
        union all
        select 1,
          d.ts, d.cpu_total, d.cpu_user, d.cpu_system, d.cpu_iowait, d.cpu_steal, d.cpu_count, d.load_1,
          d.load_5, d.load_15, d.mem_total, d.mem_used, d.mem_available, d.swap_total, d.swap_used,
          d.disk_total, d.disk_used, d.disk_read_bps, d.disk_write_bps, d.disk_read_iops,
          d.disk_write_iops, d.net_rx_bps, d.net_tx_bps, d.net_connections, d.uptime_s, d.process_count,
          d.temp_c
        from public.host_samples_compact c cross join lateral private.decode_host_hour(c.data) d
        where c.host_id = p_host_id and c.hour = p_hour
      ) u
      order by u.ts, u.prio
    ) r
  ) q
  where q.n > 0
$$;


-- Moves raw host samples of every complete hour before p_before into host_samples_compact.
create function private.compact_host_samples(p_before timestamptz default now() - interval '1 day')
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  v_hours integer := 0;
  v_cutoff timestamptz := date_trunc('hour', p_before);
begin
  for r in
    select distinct s.host_id, date_trunc('hour', s.ts) as hour from public.host_samples s where s.ts < v_cutoff
  loop
    insert into public.host_samples_compact as c (host_id, hour, samples, data)
    select r.host_id, r.hour, e.samples, e.data from private.encode_host_hour(r.host_id, r.hour) e
    on conflict (host_id, hour) do update set samples = excluded.samples, data = excluded.data;
    delete from public.host_samples s where s.host_id = r.host_id and s.ts >= r.hour and s.ts < r.hour + interval '1 hour';
    v_hours := v_hours + 1;
  end loop;
  return v_hours;
end
$$;
comment on function private.compact_host_samples(timestamptz) is
  'Encodes raw host samples older than p_before (default one day) per host and hour, then deletes the raw rows.';

revoke all on function private.encode_series(bigint[], boolean), private.varint(bigint),
  private.encode_host_hour(uuid, timestamptz), private.compact_host_samples(timestamptz) from public;
-- metrics_range runs as the caller and decodes blobs the caller may read.
revoke all on function private.decode_host_hour(bytea) from public;
grant execute on function private.decode_host_hour(bytea) to authenticated, service_role;

alter table public.host_samples_compact enable row level security;
create policy "Members can read their team's compacted host samples" on public.host_samples_compact
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's compacted samples" on public.host_samples_compact
  for select to authenticated using (host_id = (select private.agent_host_id()));
grant select on public.host_samples_compact to authenticated;
grant all on public.host_samples_compact to service_role;
