-- Compaction of raw host samples older than a day: per host and hour, one bytea holding every
-- numeric column of the host metric catalogue (private.host_metrics, compact_column 1 = ts … n),
-- each bit-packed at a fixed width:
--
--   blob   := version byte (2), varint sample count n, varint column count, then one series per
--             column in compact_column order (ts, cpu_total, …, temp_c)
--   series := mode byte: 0 all null, else kind (1 frame of reference | 2 delta | 3 delta-of-delta)
--             | 4 when a null bitmap follows (n bits, 1 = null, padded to a byte);
--             varint g, zigzag varint v0, then zigzag varint lo (kind 1 and 2) or zigzag varints
--             d1, lo (kind 3); a width byte w; then the items, w bits each (most significant bit
--             first), padded to a byte.
--
-- Values are quantised first to the catalogue's step (percentages and load 0.01, iops and °C 0.1,
-- sizes 1 KiB, rates 1 B/s, ts 1 ms; cpu_cores and detail are not kept). Non-null values v_j
-- (j = 0 … m-1) become u_j = (v_j - v0) / g, where v0 = v_0 and g is the greatest common divisor of all
-- v_j - v0, so a column that only moves in steps of 0.1 (or 4 KiB, or 10 s) costs no bits for the
-- unused digits. The encoder keeps the kind with the narrowest items (ties: fewer running sums to
-- decode): kind 1 stores u_j - lo for every j (noise around a level), kind 2 the deltas
-- u_j - u_{j-1} - lo for j ≥ 1 (trends, random walks), kind 3 the delta-of-deltas for j ≥ 2 after the
-- first delta d1 (regular clocks such as ts and uptime_s: a steady interval costs 0 bits, scheduling
-- jitter a few). Constant columns cost 0 bits. Decoding is set-based SQL (substring on a bit string,
-- running sums as window functions). Measured in bench/src/schema-storage.bench.ts.

create table public.host_samples_compact (
  host_id uuid not null references public.hosts (id) on delete cascade,
  hour timestamptz not null,
  samples integer not null,
  data bytea not null,
  primary key (host_id, hour)
);
comment on table public.host_samples_compact is
  'Raw host samples older than a day, one bit-packed blob (format 2) per host and hour; read with metrics_range or private.decode_host_hour.';
-- Storage external: a blob is dense (compression would only cost CPU) and, at 9–19 kB an hour, is
-- split into TOAST chunks that pack pages fully, where inline rows would leave most of each page empty.
alter table public.host_samples_compact alter column data set storage external;

-- An unsigned varint: 7 bits a byte, least significant first.
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

-- How a catalogue column is quantised into a blob (SQL over the row r) and read back (SQL over the
-- decoded series r.c0 … r.c<n-1>). Sizes are non-negative (checked on insert): they round half up in
-- integer arithmetic. Steps above 1 are for integer columns only.
create function private.host_metric_encode_sql(m private.host_metrics)
returns text
language sql stable set search_path = ''
as $$
  select case
    when m.value_type = 'timestamptz' then format('round(date_part(''epoch'', r.%I) * %s)::bigint', m.name, round(1 / m.step))
    when m.value_type in ('real', 'double precision') and m.step < 1 then format('round(r.%I::float8 * %s)::bigint', m.name, round(1 / m.step))
    when m.value_type in ('real', 'double precision') then format('round(r.%I)::bigint', m.name)
    when m.step > 1 then format('(r.%I + %s) / %s', m.name, floor(m.step / 2), m.step)
    when m.value_type = 'bigint' then format('r.%I', m.name)
    else format('r.%I::bigint', m.name) end
$$;
create function private.host_metric_decode_sql(m private.host_metrics)
returns text
language sql stable set search_path = ''
as $$
  select case
    when m.percent_of is not null then format('case when r.c%1$s > 0 then (r.c%2$s::float8 * 100 / r.c%1$s)::real end',
      (select t.compact_column - 1 from private.host_metrics t where t.name = m.percent_of[2]),
      (select u.compact_column - 1 from private.host_metrics u where u.name = m.percent_of[1]))
    when m.value_type = 'timestamptz' then format('to_timestamp(r.c%s / %s.0)', m.compact_column - 1, round(1 / m.step))
    when m.step < 1 then format('(r.c%s::numeric / %s)::%s', m.compact_column - 1, round(1 / m.step), m.value_type)
    when m.step > 1 then format('r.c%s * %s', m.compact_column - 1, m.step)
    when m.value_type = 'bigint' then format('r.c%s', m.compact_column - 1)
    else format('r.c%s::%s', m.compact_column - 1, m.value_type) end
$$;
revoke all on function private.host_metric_encode_sql(private.host_metrics), private.host_metric_decode_sql(private.host_metrics)
  from public;

-- (Re)creates private.decode_host_hour and private.encode_host_hour from the catalogue.
--   decode_host_hour(data, columns): one blob back into samples (every kept column, then the
--     percentages recomputed); p_columns (compact_column numbers) limits the work to the columns a
--     caller reads, the others come back null.
--   encode_host_hour(host, hour): the raw samples of one host and hour, merged with an existing blob
--     of that hour, as one blob.
-- New columns go at the end of the blob (compact_column n + 1): older blobs say how many they hold
-- and decode with the new columns null.
create procedure private.generate_compaction()
language plpgsql set search_path = ''
as $gen$
declare
  v_n integer := (select max(m.compact_column) from private.host_metrics m);
  v_kept text := 'm.compact_column is not null';
  v_derived text := 'm.percent_of is not null';
begin
  if v_n <> (select count(*) from private.host_metrics m where m.compact_column is not null) then
    raise exception 'Cannot generate compaction: compact_column must run 1 … n without gaps';
  end if;
  -- The result columns may change, which create or replace cannot do; nothing else stores a reference.
  drop function if exists private.decode_host_hour(bytea, integer[]);
  execute format($ddl$create or replace function private.decode_host_hour(p_data bytea, p_columns integer[] default null)
returns table (
%1$s
)
language plpgsql immutable set search_path = ''
as $fn$
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
%2$s
begin
  if get_byte(buf, 0) <> 2 then
    raise exception 'Cannot decode compacted samples: unknown format version %%', get_byte(buf, 0);
  end if;
  bits := ('x' || encode(buf, 'hex'))::varbit;
  select r.value, r.next_pos into n, pos from private.read_varint(buf, pos) r;
  select least(r.value, %3$s), r.next_pos into ncols, pos from private.read_varint(buf, pos) r;
  -- The function is callable by signed-in users on any bytea: refuse sizes no compaction writes.
  if n > 1000000 then
    raise exception 'Cannot decode compacted samples: %% samples in one blob is more than the 1000000 a block can hold', n;
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
      raise exception 'Cannot decode compacted samples: column %% is packed %% bits wide (at most 63)', c, w;
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
%4$s
    end case;
  end loop;
  return query
    select %5$s
    from unnest(array_fill(null::bigint, array[n]), %6$s)
      as r(pad, %7$s);
end
$fn$$ddl$,
    private.host_metric_list($$format('  %I %s', m.name, m.value_type)$$, e',\n', v_kept, 'm.compact_column') || e',\n'
      || private.host_metric_list($$format('  %I %s', m.name, m.value_type)$$, e',\n', v_derived),
    (select string_agg(format('  a%s bigint[];', i), e'\n' order by i) from generate_series(1, v_n) i),
    v_n,
    (select string_agg(format('      when %1$s then a%1$s := col;', i), e'\n' order by i) from generate_series(1, v_n) i),
    private.host_metric_list('private.host_metric_decode_sql(m)', e',\n      ', v_kept, 'm.compact_column') || e',\n      '
      || private.host_metric_list('private.host_metric_decode_sql(m)', e',\n      ', v_derived),
    (select string_agg(format('a%s', i), ', ' order by i) from generate_series(1, v_n) i),
    (select string_agg(format('c%s', i - 1), ', ' order by i) from generate_series(1, v_n) i));
  -- metrics_range and backtest_rule run as the caller and decode blobs the caller may read.
  revoke all on function private.decode_host_hour(bytea, integer[]) from public, anon;
  grant execute on function private.decode_host_hour(bytea, integer[]) to authenticated, service_role;

  execute format($ddl$create or replace function private.encode_host_hour(p_host_id uuid, p_hour timestamptz)
returns table (samples integer, data bytea)
language sql stable set search_path = ''
as $fn$
  with r as (
    -- Raw rows win over an existing blob of the same hour, so late samples merge in.
    select (row_number() over (order by m.ts) - 1)::integer as i, m.*
    from (
      select distinct on (u.ts) u.* from (
        select 0 as prio,
          %1$s
        from public.host_samples s
        where s.host_id = p_host_id and s.ts >= p_hour and s.ts < p_hour + interval '1 hour'
        union all
        select 1,
          %2$s
        from public.host_samples_compact c cross join lateral private.decode_host_hour(c.data) d
        where c.host_id = p_host_id and c.hour = p_hour
      ) u
      order by u.ts, u.prio
    ) m
  ),
  -- Quantised to each column's catalogue step, series numbers 1 … n. Reals go through float8, not
  -- numeric: real → numeric keeps only 6 significant digits (12345.67 iops would become 12345.7).
  cells as (
    select x.c, r.i, x.v from r cross join lateral (values
%3$s
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
    from generate_series(1, %4$s) k(c) cross join total left join stats on stats.c = k.c
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
$fn$$ddl$,
    private.host_metric_list($$format('s.%I', m.name)$$, ', ', v_kept, 'm.compact_column'),
    private.host_metric_list($$format('d.%I', m.name)$$, ', ', v_kept, 'm.compact_column'),
    private.host_metric_list($$format('      (%s, %s)', m.compact_column, private.host_metric_encode_sql(m))$$, e',\n',
      v_kept, 'm.compact_column'),
    v_n);
  -- Server-only (compaction), run as the owner.
  revoke all on function private.encode_host_hour(uuid, timestamptz) from public, anon, authenticated;
end
$gen$;
revoke all on procedure private.generate_compaction() from public;
call private.generate_compaction();

-- Compaction runs hourly from pg_cron and by hand: one run at a time, hours in a fixed order, so two
-- runs never interleave on the same blobs.
create function private.compact_host_samples(p_before timestamptz default now() - interval '1 day')
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
comment on function private.compact_host_samples(timestamptz) is
  'Encodes raw host samples older than p_before (default one day) per host and hour, then deletes the raw rows.';

-- The encoder's parts and compaction (pg_cron maintenance) are server-only, run as the owner.
revoke all on function private.varint(bigint), private.compact_host_samples(timestamptz) from public, anon, authenticated;
revoke all on function private.bit_width(bigint), private.zigzag_varint(bigint), private.pack_bits(varbit)
  from public, anon, authenticated;
revoke all on function private.gcd_agg(bigint), private.bitcat_agg(varbit) from public, anon, authenticated;
-- decode_host_hour runs as the caller: it reads varints with read_varint and sums deltas with isum
-- (without the grant, members' metrics_range over compacted hours fails with "permission denied for
-- function isum").
revoke all on function private.read_varint(bytea, integer), private.isum(bigint) from public, anon;
grant execute on function private.read_varint(bytea, integer), private.isum(bigint) to authenticated, service_role;

alter table public.host_samples_compact enable row level security;
create policy "Members can read their team's compacted host samples" on public.host_samples_compact
  for select to authenticated using (host_id = any ((select private.member_host_ids())::uuid[]));
create policy "Agents can read their own host's compacted samples" on public.host_samples_compact
  for select to authenticated using (host_id = (select private.agent_host_id()));
grant select on public.host_samples_compact to authenticated;
grant all on public.host_samples_compact to service_role;
