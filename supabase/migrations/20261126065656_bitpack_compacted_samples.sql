-- Compaction format 2: per host and hour, every numeric column bit-packed at a fixed width.
--
-- Format 1 (…_create_compaction.sql) spends at least one byte per value (varint deltas) and two once a
-- delta exceeds ±31 steps, as noisy gauges at the agent's 0.01 precision do. Format 2 spends about a
-- column's entropy instead (bench/src/schema-storage.bench.ts: 1.01 against 1.32 bytes per value):
--
--   blob   := version byte (2), varint sample count n, varint column count, then one series per
--             column in format 1's order (ts, cpu_total, …, temp_c; see …_create_compaction.sql)
--   series := mode byte: 0 all null, else kind (1 frame of reference | 2 delta | 3 delta-of-delta)
--             | 4 when a null bitmap follows (n bits, 1 = null, padded to a byte);
--             varint g, zigzag varint v0, then zigzag varint lo (kind 1 and 2) or zigzag varints
--             d1, lo (kind 3); a width byte w; then the items, w bits each (most significant bit
--             first), padded to a byte.
--
-- Non-null values v_j (j = 0 … m-1, quantized to format 1's precision) become u_j = (v_j - v0) / g, where
-- v0 = v_0 and g is the greatest common divisor of all v_j - v0, so a column that only moves in steps
-- of 0.1 (or 4 KiB, or 10 s) costs no bits for the unused digits. The encoder keeps the kind with the
-- narrowest items (ties: fewer running sums to decode): kind 1 stores u_j - lo for every j (noise around a level), kind 2 the deltas
-- u_j - u_{j-1} - lo for j ≥ 1 (trends, random walks), kind 3 the delta-of-deltas for j ≥ 2 after the
-- first delta d1 (regular clocks such as ts and uptime_s: a steady interval costs 0 bits, scheduling
-- jitter a few). Constant columns cost 0 bits. Decoding is set-based SQL (substring on a bit string,
-- running sums as window functions), so it no longer runs a plpgsql statement per value.

comment on table public.host_samples_compact is
  'Raw host samples older than a day, one bit-packed blob (format 2) per host and hour; read with metrics_range or private.decode_host_hour.';
-- Storage stays external: a blob is dense (compression would only cost CPU) and, at 9–19 kB an hour, is
-- split into TOAST chunks that pack pages fully, where inline rows would leave most of each page empty.

-- Greatest common divisor over a column (gcd(0, x) = |x|; nulls are skipped).
create aggregate private.gcd_agg(bigint) (sfunc = pg_catalog.gcd, stype = bigint, initcond = '0');

-- A bigint sum that stays bigint (sum(bigint) accumulates in numeric), for running sums in windows.
create aggregate private.isum(bigint) (sfunc = pg_catalog.int8pl, stype = bigint, initcond = '0');

-- Number of bits needed for a non-negative integer (0 for 0).
create function private.bit_width(p_value bigint)
returns integer
language sql immutable set search_path = ''
as $$
  select case when p_value <= 0 then 0 else length(ltrim(p_value::bit(64)::text, '0')) end
$$;

-- Zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …) then varint, for signed header fields.
create function private.zigzag_varint(p_value bigint)
returns bytea
language sql immutable set search_path = ''
as $$
  select private.varint((p_value << 1) # (p_value >> 63))
$$;

-- A bit string as bytes, most significant bit first, zero-padded to a whole byte.
create function private.pack_bits(p_bits varbit)
returns bytea
language sql immutable set search_path = ''
as $$
  -- varbit_send is <int4 bit length><bytes>; skip the length.
  select substring(pg_catalog.varbit_send(p_bits || repeat('0', (8 - length(p_bits) % 8) % 8)::varbit) from 5)
$$;

-- Concatenates bit strings (the items of a column, in order).
create aggregate private.bitcat_agg(varbit) (sfunc = pg_catalog.bitcat, stype = varbit, initcond = '');

-- The varint (7 bits a byte, least significant first) at byte p_pos, and the position after it.
create function private.read_varint(p_buf bytea, p_pos integer, out value bigint, out next_pos integer)
language plpgsql immutable set search_path = ''
as $$
declare
  byte integer;
  shift integer := 0;
begin
  value := 0; next_pos := p_pos;
  loop
    byte := get_byte(p_buf, next_pos); next_pos := next_pos + 1;
    value := value | ((byte & 127)::bigint << shift); shift := shift + 7;
    exit when byte < 128;
  end loop;
end
$$;

-- Format 1 stays readable: blobs written before this migration are re-encoded below, and a blob
-- restored from an old backup still decodes.
alter function private.decode_host_hour(bytea) rename to decode_host_hour_v1;

-- Decodes one blob (format 1 or 2) back into samples (the compacted tier's columns, percentages
-- recomputed). p_columns (1 = ts … 27 = temp_c, format 1's order) limits the work to the columns a
-- caller reads; the others come back null.
create function private.decode_host_hour(p_data bytea, p_columns integer[] default null)
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
  bits varbit;
  pos integer := 1;
  n integer;
  ncols integer;
  c integer;
  mode integer;
  kind integer;
  w integer;
  nn integer;
  bm integer;
  off integer;
  u bigint;
  f integer;
  field bigint[];
  col bigint[];
  a1 bigint[];
  a2 bigint[];
  a3 bigint[];
  a4 bigint[];
  a5 bigint[];
  a6 bigint[];
  a7 bigint[];
  a8 bigint[];
  a9 bigint[];
  a10 bigint[];
  a11 bigint[];
  a12 bigint[];
  a13 bigint[];
  a14 bigint[];
  a15 bigint[];
  a16 bigint[];
  a17 bigint[];
  a18 bigint[];
  a19 bigint[];
  a20 bigint[];
  a21 bigint[];
  a22 bigint[];
  a23 bigint[];
  a24 bigint[];
  a25 bigint[];
  a26 bigint[];
  a27 bigint[];
begin
  if get_byte(buf, 0) = 1 then
    return query select * from private.decode_host_hour_v1(buf);
    return;
  elsif get_byte(buf, 0) <> 2 then
    raise exception 'Cannot decode compacted samples: unknown format version %', get_byte(buf, 0);
  end if;
  bits := ('x' || encode(buf, 'hex'))::varbit;
  select r.value, r.next_pos into n, pos from private.read_varint(buf, pos) r;
  select least(r.value, 27), r.next_pos into ncols, pos from private.read_varint(buf, pos) r;
  -- The function is callable by signed-in users on any bytea: refuse sizes no compaction writes.
  if n > 1000000 then
    raise exception 'Cannot decode compacted samples: % samples in one blob is more than the 1000000 a block can hold', n;
  end if;
  for c in 1 .. ncols loop
    mode := get_byte(buf, pos); pos := pos + 1;
    kind := mode & 3;
    continue when kind = 0;  -- all null
    nn := n; bm := null;
    if mode & 4 <> 0 then
      bm := pos * 8;
      nn := n - length(replace(substring(bits from bm + 1 for n)::text, '0', ''));
      pos := pos + (n + 7) / 8;
    end if;
    field := '{}';
    for f in 1 .. case when kind = 3 then 4 else 3 end loop
      select r.value, r.next_pos into u, pos from private.read_varint(buf, pos) r;
      -- g is unsigned; v0, d1 and lo are zigzag-coded
      field[f] := case when f = 1 then u else (u >> 1) # (-(u & 1)) end;
    end loop;
    w := get_byte(buf, pos); pos := pos + 1;
    if w > 63 then
      raise exception 'Cannot decode compacted samples: column % is packed % bits wide (at most 63)', c, w;
    end if;
    off := pos * 8;
    pos := pos + (greatest(nn - kind + 1, 0) * w + 7) / 8;
    continue when p_columns is not null and not (c = any (p_columns));
    -- u_j from the items: kind 1 stores u_j - lo; kind 2 the deltas; kind 3 d1, then delta-of-deltas.
    -- Running sums are window aggregates (private.isum adds int8 without going through numeric).
    if kind = 1 and w = 0 then
      col := array_fill(field[2] + field[1] * field[3], array[nn]);
    elsif kind = 1 then
      select array_agg(field[2] + field[1] * (field[3] + substring(bits from off + j * w + 1 for w)::bigint) order by j)
      into col from generate_series(0, nn - 1) j;
    elsif kind = 2 then
      select array_agg(field[2] + field[1] * x.u order by x.j) into col from (
        select j, private.isum(case when j = 0 then 0
            else field[3] + case when w = 0 then 0 else substring(bits from off + (j - 1) * w + 1 for w)::bigint end end)
          over (order by j rows between unbounded preceding and current row) as u
        from generate_series(0, nn - 1) j
      ) x;
    else
      select array_agg(field[2] + field[1] * y.u order by y.j) into col from (
        select x.j, private.isum(x.d) over (order by x.j rows between unbounded preceding and current row) as u from (
          select j, private.isum(case when j = 0 then 0 when j = 1 then field[3]
              else field[4] + case when w = 0 then 0 else substring(bits from off + (j - 2) * w + 1 for w)::bigint end end)
            over (order by j rows between unbounded preceding and current row) as d
          from generate_series(0, nn - 1) j
        ) x
      ) y;
    end if;
    if bm is not null then
      -- the j-th value belongs to the j-th row whose bitmap bit is 0
      select array_agg(case when get_bit(bits, bm + i) = 0 then col[x.j] end order by i) into col from (
        select i, (count(*) filter (where get_bit(bits, bm + i) = 0) over (order by i rows between unbounded preceding and current row))::integer as j
        from generate_series(0, n - 1) i
      ) x;
    end if;
    case c
      when 1 then a1 := col;
      when 2 then a2 := col;
      when 3 then a3 := col;
      when 4 then a4 := col;
      when 5 then a5 := col;
      when 6 then a6 := col;
      when 7 then a7 := col;
      when 8 then a8 := col;
      when 9 then a9 := col;
      when 10 then a10 := col;
      when 11 then a11 := col;
      when 12 then a12 := col;
      when 13 then a13 := col;
      when 14 then a14 := col;
      when 15 then a15 := col;
      when 16 then a16 := col;
      when 17 then a17 := col;
      when 18 then a18 := col;
      when 19 then a19 := col;
      when 20 then a20 := col;
      when 21 then a21 := col;
      when 22 then a22 := col;
      when 23 then a23 := col;
      when 24 then a24 := col;
      when 25 then a25 := col;
      when 26 then a26 := col;
      when 27 then a27 := col;
    end case;
  end loop;
  return query
    select to_timestamp(r.c0 / 1000.0),
      (r.c1::numeric / 100)::real, (r.c2::numeric / 100)::real, (r.c3::numeric / 100)::real,
      (r.c4::numeric / 100)::real, (r.c5::numeric / 100)::real, r.c6::smallint,
      (r.c7::numeric / 100)::real, (r.c8::numeric / 100)::real, (r.c9::numeric / 100)::real,
      r.c10 * 1024, r.c11 * 1024, r.c12 * 1024, r.c13 * 1024, r.c14 * 1024, r.c15 * 1024, r.c16 * 1024,
      r.c17::double precision, r.c18::double precision,
      (r.c19::numeric / 10)::real, (r.c20::numeric / 10)::real,
      r.c21::double precision, r.c22::double precision, r.c23::integer, r.c24, r.c25::integer,
      (r.c26::numeric / 10)::real,
      case when r.c10 > 0 then (r.c11::float8 * 100 / r.c10)::real end,
      case when r.c13 > 0 then (r.c14::float8 * 100 / r.c13)::real end,
      case when r.c15 > 0 then (r.c16::float8 * 100 / r.c15)::real end
    from unnest(array_fill(null::bigint, array[n]), a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27)
      as r(pad, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26);
end
$$;

-- Encodes the raw samples of one host and hour (merged with an existing blob of that hour) in format 2.
create or replace function private.encode_host_hour(p_host_id uuid, p_hour timestamptz)
returns table (samples integer, data bytea)
language sql stable set search_path = ''
as $$
  with r as (
    -- Raw rows win over an existing blob of the same hour, so late samples merge in.
    select (row_number() over (order by m.ts) - 1)::integer as i, m.*
    from (
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
    ) m
  ),
  -- Quantized to format 1's precision, column numbers 1 … 27. Reals go through float8, not numeric:
  -- real → numeric keeps only 6 significant digits (12345.67 iops became 12345.7 in format 1).
  cells as (
    select x.c, r.i, x.v from r cross join lateral (values
      (1, round(date_part('epoch', r.ts) * 1000)::bigint),
      (2, round(r.cpu_total::float8 * 100)::bigint),
      (3, round(r.cpu_user::float8 * 100)::bigint),
      (4, round(r.cpu_system::float8 * 100)::bigint),
      (5, round(r.cpu_iowait::float8 * 100)::bigint),
      (6, round(r.cpu_steal::float8 * 100)::bigint),
      (7, r.cpu_count::bigint),
      (8, round(r.load_1::float8 * 100)::bigint),
      (9, round(r.load_5::float8 * 100)::bigint),
      (10, round(r.load_15::float8 * 100)::bigint),
      -- sizes are non-negative (checked on insert): round half up to KiB in integer arithmetic
      (11, (r.mem_total + 512) / 1024),
      (12, (r.mem_used + 512) / 1024),
      (13, (r.mem_available + 512) / 1024),
      (14, (r.swap_total + 512) / 1024),
      (15, (r.swap_used + 512) / 1024),
      (16, (r.disk_total + 512) / 1024),
      (17, (r.disk_used + 512) / 1024),
      (18, round(r.disk_read_bps)::bigint),
      (19, round(r.disk_write_bps)::bigint),
      (20, round(r.disk_read_iops::float8 * 10)::bigint),
      (21, round(r.disk_write_iops::float8 * 10)::bigint),
      (22, round(r.net_rx_bps)::bigint),
      (23, round(r.net_tx_bps)::bigint),
      (24, r.net_connections::bigint),
      (25, r.uptime_s),
      (26, r.process_count::bigint),
      (27, round(r.temp_c::float8 * 10)::bigint)
    ) as x(c, v)
  ),
  -- Non-null values in order (j), with the first value and the first and second differences.
  present as (
    select cells.c, cells.v, (row_number() over w - 1)::integer as j, first_value(cells.v) over w as v0,
      cells.v - lag(cells.v) over w as d, cells.v - 2 * lag(cells.v) over w + lag(cells.v, 2) over w as dd
    from cells where cells.v is not null
    window w as (partition by cells.c order by cells.i)
  ),
  stats as (
    select present.c, count(*)::integer as nn, min(present.v0) as v0,
      greatest(private.gcd_agg(present.v - present.v0), 1) as g,
      min(present.v) as v_lo, max(present.v) as v_hi, min(present.d) as d_lo, max(present.d) as d_hi,
      min(present.dd) as dd_lo, max(present.dd) as dd_hi, min(present.d) filter (where present.j = 1) as d1
    from present group by present.c
  ),
  -- The narrowest kind wins; ties go to the kind with fewer running sums to decode. Every difference
  -- is a multiple of g, so the divisions are exact.
  pick as (
    select stats.c, stats.nn, stats.v0, stats.g, stats.d1 / stats.g as d1, k.kind,
      case k.kind when 1 then k.w1 when 2 then k.w2 else k.w3 end as w,
      case k.kind when 1 then stats.v_lo when 2 then stats.d_lo else stats.dd_lo end as lo
    from stats cross join lateral (
      select w.w1, w.w2, w.w3, case
          when stats.nn >= 3 and w.w3 < least(w.w1, w.w2) then 3
          when stats.nn >= 2 and w.w2 < w.w1 then 2
          else 1 end as kind
      from (select private.bit_width((stats.v_hi - stats.v_lo) / stats.g) as w1,
        coalesce(private.bit_width((stats.d_hi - stats.d_lo) / stats.g), 0) as w2,
        coalesce(private.bit_width((stats.dd_hi - stats.dd_lo) / stats.g), 0) as w3) w
    ) k
  ),
  packed as (
    select pick.c,
      coalesce(private.bitcat_agg(substring(((case pick.kind when 1 then present.v when 2 then present.d else present.dd end - pick.lo)
        / pick.g)::bit(64) from 65 - pick.w) order by present.j) filter (where present.j >= pick.kind - 1), ''::varbit) as items
    from pick join present on present.c = pick.c
    group by pick.c
  ),
  total as (select count(*)::integer as n from r),
  -- Per column the null count, and the bitmap (1 = null) only where some but not all are null.
  nulls as (
    select k.c, total.n - coalesce(stats.nn, 0) as nulls, total.n,
      case when coalesce(stats.nn, 0) between 1 and total.n - 1 then
        (select string_agg(case when x.v is null then '1' else '0' end, '' order by x.i) from cells x where x.c = k.c)::varbit
      end as bitmap
    from generate_series(1, 27) k(c) cross join total left join stats on stats.c = k.c
  ),
  series as (
    select nulls.c, nulls.n, case when nulls.nulls = nulls.n then '\x00'::bytea else
      set_byte('\x00'::bytea, 0, pick.kind | case when nulls.nulls > 0 then 4 else 0 end)
      || case when nulls.nulls > 0 then private.pack_bits(nulls.bitmap) else ''::bytea end
      || private.varint(pick.g) || private.zigzag_varint(pick.v0)
      || case when pick.kind = 3 then private.zigzag_varint(pick.d1) else ''::bytea end
      -- lo in units of g, relative to v0 for kind 1
      || private.zigzag_varint(case when pick.kind = 1 then pick.lo - pick.v0 else pick.lo end / pick.g)
      || set_byte('\x00'::bytea, 0, pick.w)
      || private.pack_bits(packed.items)
    end as bytes
    from nulls left join pick on pick.c = nulls.c left join packed on packed.c = nulls.c
  )
  select min(series.n)::integer, '\x02'::bytea || private.varint(min(series.n)) || private.varint(count(*))
    || string_agg(series.bytes, ''::bytea order by series.c)
  from series
  having min(series.n) > 0
$$;

-- Compaction runs hourly from pg_cron and by hand: one run at a time, hours in a fixed order, so two
-- runs never interleave on the same blobs.
create or replace function private.compact_host_samples(p_before timestamptz default now() - interval '1 day')
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  v_hours integer := 0;
  v_cutoff timestamptz := date_trunc('hour', p_before);
begin
  perform pg_advisory_xact_lock(hashtext('private.compact_host_samples'));
  for r in
    select distinct s.host_id, date_trunc('hour', s.ts) as hour from public.host_samples s where s.ts < v_cutoff
    order by 1, 2
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

-- metrics_range decodes only the columns it returns (ts, cpu_total, cpu_iowait, load_1, the sizes behind
-- the percentages, rates, connections, temperature): 16 of 27. Otherwise unchanged.
create or replace function public.metrics_range(
  p_host_id uuid, p_from timestamptz, p_to timestamptz default now(), p_resolution text default null
)
returns table (
  ts timestamptz, resolution text, samples integer,
  cpu_total real, cpu_total_max real, cpu_iowait real, load_1 real,
  mem_percent real, swap_percent real, disk_percent real,
  disk_read_bps double precision, disk_write_bps double precision,
  net_rx_bps double precision, net_tx_bps double precision,
  net_connections real, temp_c real
)
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_res text := coalesce(p_resolution, case
    when p_to - p_from <= interval '3 hours' then 'raw'
    when p_to - p_from <= interval '3 days' then '1m'
    else '1h' end);
begin
  if p_from is null or p_to is null or p_to < p_from then
    raise exception 'metrics_range: need p_from <= p_to, got % and %', p_from, p_to using errcode = '22023';
  end if;
  if v_res = 'raw' then
    return query
      select s.ts, 'raw'::text, 1, s.cpu_total, s.cpu_total, s.cpu_iowait, s.load_1, s.mem_percent, s.swap_percent,
        s.disk_percent, s.disk_read_bps, s.disk_write_bps, s.net_rx_bps, s.net_tx_bps, s.net_connections::real, s.temp_c
      from (
        select r.ts, r.cpu_total, r.cpu_iowait, r.load_1, r.mem_percent, r.swap_percent, r.disk_percent,
          r.disk_read_bps, r.disk_write_bps, r.net_rx_bps, r.net_tx_bps, r.net_connections, r.temp_c
        from public.host_samples r
        where r.host_id = p_host_id and r.ts >= p_from and r.ts < p_to
        union all
        select d.ts, d.cpu_total, d.cpu_iowait, d.load_1, d.mem_percent, d.swap_percent, d.disk_percent,
          d.disk_read_bps, d.disk_write_bps, d.net_rx_bps, d.net_tx_bps, d.net_connections, d.temp_c
        from public.host_samples_compact c
          cross join lateral private.decode_host_hour(c.data, '{1,2,5,8,11,12,14,15,16,17,18,19,22,23,24,27}') d
        where c.host_id = p_host_id and c.hour >= date_trunc('hour', p_from) and c.hour < p_to
          and d.ts >= p_from and d.ts < p_to
      ) s
      order by s.ts;
  elsif v_res in ('1m', '1h') then
    return query execute format($q$
      select r.bucket, %L::text, r.samples, r.cpu_total_avg, r.cpu_total_max, r.cpu_iowait_avg, r.load_1_avg,
        r.mem_percent_avg, r.swap_percent_avg, r.disk_percent_avg, r.disk_read_bps_avg, r.disk_write_bps_avg,
        r.net_rx_bps_avg, r.net_tx_bps_avg, r.net_connections_avg, r.temp_c_avg
      from public.host_samples_%s r
      where r.host_id = $1 and r.bucket >= $2 and r.bucket < $3
      order by r.bucket
    $q$, v_res, v_res) using p_host_id, p_from, p_to;
  else
    raise exception 'metrics_range: resolution must be raw, 1m or 1h, got %', v_res using errcode = '22023';
  end if;
end
$$;
revoke all on function private.bit_width(bigint), private.zigzag_varint(bigint), private.pack_bits(varbit) from public;
-- decode_host_hour runs as the caller and reads varints with this
revoke all on function private.read_varint(bytea, integer) from public;
grant execute on function private.read_varint(bytea, integer) to authenticated, service_role;
revoke all on function private.gcd_agg(bigint), private.isum(bigint), private.bitcat_agg(varbit) from public;
-- metrics_range and backtest_rule run as the caller and decode blobs the caller may read.
revoke all on function private.decode_host_hour(bytea, integer[]) from public;
grant execute on function private.decode_host_hour(bytea, integer[]) to authenticated, service_role;

-- Blobs written in format 1 before this migration: re-encode them in place (raw rows of the same hour,
-- if any, are merged in and stay until the next compaction run deletes them).
update public.host_samples_compact c
set samples = e.samples, data = e.data
from public.host_samples_compact o cross join lateral private.encode_host_hour(o.host_id, o.hour) e
where o.host_id = c.host_id and o.hour = c.hour and get_byte(c.data, 0) = 1;
