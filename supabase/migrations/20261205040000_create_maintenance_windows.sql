-- Maintenance windows: planned time ranges in which alerts on the hosts they cover are recorded but not
-- notified. One-off (starts_at..ends_at), weekly (ISO weekdays + local start/end time in an IANA time zone;
-- an end at or before the start runs past midnight) or cron (a five-field cron expression in that time zone,
-- each match opening the window for `duration`). Scoped to the whole team, a list of hosts, or hosts whose
-- labels contain the given ones.
-- private.is_silenced (…_create_alert_evaluation.sql) now also answers true inside a window, so every path
-- that records events (ingest, host-down, anomalies) suppresses the fan-out unchanged; a trigger on
-- alert_events says why (suppressed_by 'silence' | 'maintenance', and which window).
-- Not to be confused with …_create_maintenance_schedules.sql: the database's own pg_cron housekeeping.

create table public.maintenance_windows (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  name text not null constraint maintenance_windows_name_length check (char_length(name) between 1 and 100),
  comment text constraint maintenance_windows_comment_length check (char_length(comment) <= 500),
  kind text not null constraint maintenance_windows_kind_known check (kind in ('once', 'weekly', 'cron')),
  -- Weekly and cron windows are read in this zone (DST included); one-off windows are absolute.
  time_zone text not null default 'UTC' constraint maintenance_windows_time_zone_length check (char_length(time_zone) <= 64),
  starts_at timestamptz,
  ends_at timestamptz,
  -- ISO weekdays: 1 = Monday … 7 = Sunday.
  weekdays smallint[],
  start_time time,
  end_time time,
  cron text constraint maintenance_windows_cron_length check (char_length(cron) <= 200),
  duration interval,
  scope text not null default 'all' constraint maintenance_windows_scope_known check (scope in ('all', 'hosts', 'labels')),
  host_ids uuid[] not null default '{}' constraint maintenance_windows_host_ids_bounded check (cardinality(host_ids) <= 200),
  -- Hosts whose labels contain every key/value here (jsonb @>).
  labels jsonb not null default '{}'
    constraint maintenance_windows_labels_object check (jsonb_typeof(labels) = 'object' and pg_column_size(labels) <= 4096),
  enabled boolean not null default true,
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint maintenance_windows_shape check (
    (kind = 'once' and starts_at is not null and ends_at > starts_at)
    or (kind = 'weekly' and cardinality(weekdays) between 1 and 7 and start_time is not null and end_time is not null
      and start_time <> end_time)
    or (kind = 'cron' and cron is not null and duration between interval '1 minute' and interval '7 days')
  ),
  constraint maintenance_windows_scope_complete check (
    scope = 'all' or (scope = 'hosts' and cardinality(host_ids) > 0) or (scope = 'labels' and labels <> '{}')
  )
);
comment on table public.maintenance_windows is
  'Planned windows (one-off, weekly, cron; in a time zone) in which alerts on the covered hosts are recorded but not notified.';
create index maintenance_windows_team_id_idx on public.maintenance_windows (team_id) where enabled;

-- Cron expressions -----------------------------------------------------------------------------
-- Five fields (minute hour day-of-month month day-of-week) as in Vixie cron and pg_cron: *, n, a-b, lists,
-- /step, month and weekday names (jan…dec, sun…sat), day-of-week 0–7 (0 and 7 are Sunday), and the
-- macros @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually. When both day fields are
-- restricted a day matches either (Vixie's rule); otherwise both must match.

create type private.cron_spec as (
  minutes integer[], hours integer[], days integer[], months integer[], weekdays integer[],
  any_day boolean, any_weekday boolean
);

-- One field's values; raises 22023 naming the field and what is allowed.
create function private.cron_field(p_expr text, p_field text, p_name text, p_min integer, p_max integer)
returns integer[]
language plpgsql immutable set search_path = ''
as $$
declare
  v_part text;
  v_m text[];
  v_lo integer;
  v_hi integer;
  v_step integer;
  v_out integer[] := '{}';
begin
  foreach v_part in array string_to_array(p_field, ',') loop
    v_m := regexp_match(v_part, '^(\*|([0-9]{1,2})(-([0-9]{1,2}))?)(/([0-9]{1,2}))?$');
    if v_m is null then
      raise exception 'Invalid cron expression "%": the % field "%" is not a number, range (a-b), list (a,b) or step (*/n)',
        p_expr, p_name, p_field
        using errcode = '22023', hint = 'Five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * sun"';
    end if;
    v_step := coalesce(v_m[6]::integer, 1);
    if v_m[1] = '*' then
      v_lo := p_min; v_hi := p_max;
    else
      v_lo := v_m[2]::integer;
      -- "5/15" means 5, 20, 35, 50 (from 5 to the end of the range), as in Vixie cron.
      v_hi := coalesce(v_m[4]::integer, case when v_m[6] is not null then p_max else v_lo end);
    end if;
    if v_lo < p_min or v_hi > p_max or v_lo > v_hi or v_step < 1 then
      raise exception 'Invalid cron expression "%": the % field allows %–%, got "%"', p_expr, p_name, p_min, p_max, v_part
        using errcode = '22023', hint = 'Five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * sun"';
    end if;
    v_out := v_out || array(select generate_series(v_lo, v_hi, v_step));
  end loop;
  return array(select distinct x from unnest(v_out) x order by x);
end
$$;

-- Parses a cron expression into its value sets (pure; raises 22023 with the reason).
create function private.parse_cron(p_expr text) returns private.cron_spec
language plpgsql immutable set search_path = ''
as $$
declare
  v_text text := lower(btrim(coalesce(p_expr, '')));
  v_fields text[];
  v_names text[] := array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
  v_days text[] := array['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  v_spec private.cron_spec;
  i integer;
begin
  v_text := case v_text
    when '@hourly' then '0 * * * *' when '@daily' then '0 0 * * *' when '@midnight' then '0 0 * * *'
    when '@weekly' then '0 0 * * 0' when '@monthly' then '0 0 1 * *' when '@yearly' then '0 0 1 1 *'
    when '@annually' then '0 0 1 1 *' else v_text end;
  v_fields := regexp_split_to_array(v_text, '\s+');
  if v_text = '' or cardinality(v_fields) <> 5 then
    raise exception 'Invalid cron expression "%": expected 5 fields (minute hour day-of-month month day-of-week), got %',
      p_expr, case when v_text = '' then 0 else cardinality(v_fields) end
      using errcode = '22023', hint = 'For example "0 2 * * sun" (Sundays at 02:00) or "30 1 1 * *" (the 1st at 01:30)';
  end if;
  -- Names only when there are letters: parsing runs on every suppression check.
  if v_fields[4] ~ '[a-z]' then
    for i in 1 .. 12 loop
      v_fields[4] := replace(v_fields[4], v_names[i], i::text);
    end loop;
  end if;
  if v_fields[5] ~ '[a-z]' then
    for i in 1 .. 7 loop
      v_fields[5] := replace(v_fields[5], v_days[i], (i - 1)::text);
    end loop;
  end if;
  v_spec.minutes := private.cron_field(p_expr, v_fields[1], 'minute', 0, 59);
  v_spec.hours := private.cron_field(p_expr, v_fields[2], 'hour', 0, 23);
  v_spec.days := private.cron_field(p_expr, v_fields[3], 'day-of-month', 1, 31);
  v_spec.months := private.cron_field(p_expr, v_fields[4], 'month', 1, 12);
  -- 7 is Sunday too.
  v_spec.weekdays := array(select distinct x % 7 from unnest(private.cron_field(p_expr, v_fields[5], 'day-of-week', 0, 7)) x order by 1);
  v_spec.any_day := v_fields[3] like '*%';
  v_spec.any_weekday := v_fields[5] like '*%';
  return v_spec;
end
$$;
comment on function private.parse_cron(text) is 'Parses a five-field cron expression (names, ranges, lists, steps, @macros); raises 22023 saying what is wrong.';

-- Occurrences ---------------------------------------------------------------------------------

-- A cron window's occurrences (start, start + duration) overlapping [p_from, p_to), in order, at most
-- p_limit. Walks local days, so a window that opens at 02:00 local stays at 02:00 across DST changes
-- (a start in a spring-forward gap is read in standard time, as Postgres reads such times: 02:30 → 03:30 summer time).
create function private.cron_occurrences(
  p_cron text, p_time_zone text, p_duration interval, p_from timestamptz, p_to timestamptz, p_limit integer default 1000
)
returns table (starts_at timestamptz, ends_at timestamptz)
language plpgsql stable set search_path = ''
as $$
declare
  v_spec private.cron_spec := private.parse_cron(p_cron);
  v_day date := ((p_from - p_duration) at time zone p_time_zone)::date;
  v_last date := (p_to at time zone p_time_zone)::date;
  v_dom_ok boolean;
  v_dow_ok boolean;
  v_start timestamptz;
  v_n integer := 0;
begin
  while v_day <= v_last and v_n < p_limit loop
    if extract(month from v_day)::integer = any (v_spec.months) then
      v_dom_ok := extract(day from v_day)::integer = any (v_spec.days);
      v_dow_ok := extract(dow from v_day)::integer = any (v_spec.weekdays);
      if (case when v_spec.any_day or v_spec.any_weekday then v_dom_ok and v_dow_ok else v_dom_ok or v_dow_ok end) then
        for v_start in
          select distinct (v_day + make_time(h, m, 0)) at time zone p_time_zone as s
          from unnest(v_spec.hours) h cross join unnest(v_spec.minutes) m order by s
        loop
          if v_start + p_duration > p_from and v_start < p_to then
            starts_at := v_start; ends_at := v_start + p_duration;
            return next;
            v_n := v_n + 1;
            exit when v_n >= p_limit;
          end if;
        end loop;
      end if;
    end if;
    v_day := v_day + 1;
  end loop;
end
$$;

-- Any window's occurrences overlapping [p_from, p_to), in order, at most p_limit.
create function private.maintenance_occurrences(
  p_window public.maintenance_windows, p_from timestamptz, p_to timestamptz, p_limit integer default 1000
)
returns table (starts_at timestamptz, ends_at timestamptz)
language plpgsql stable set search_path = ''
as $$
begin
  if p_window.kind = 'once' then
    return query select p_window.starts_at, p_window.ends_at
      where p_window.ends_at > p_from and p_window.starts_at < p_to and p_limit > 0;
  elsif p_window.kind = 'weekly' then
    -- Local dates from the day before p_from (a window from yesterday may run past midnight).
    return query
      select o.s, o.e from (
        select (d::date + p_window.start_time) at time zone p_window.time_zone as s,
          (d::date + p_window.end_time + case when p_window.end_time <= p_window.start_time then interval '1 day' else interval '0' end)
            at time zone p_window.time_zone as e
        from generate_series(((p_from at time zone p_window.time_zone)::date - 1)::timestamp,
          (p_to at time zone p_window.time_zone)::date::timestamp, interval '1 day') d
        where extract(isodow from d)::smallint = any (p_window.weekdays)
      ) o
      where o.e > p_from and o.s < p_to
      order by o.s limit p_limit;
  else
    return query select * from private.cron_occurrences(p_window.cron, p_window.time_zone, p_window.duration,
      p_from, p_to, p_limit);
  end if;
end
$$;
comment on function private.maintenance_occurrences is
  'Occurrences (start, end) of one maintenance window overlapping [p_from, p_to), in order.';

-- What suppresses notifications for an alert at p_at: a matching silence first, else a maintenance
-- window covering the host. Both null = nothing.
create function private.alert_suppression(
  p_team_id uuid, p_host_id uuid, p_rule_id uuid, p_labels jsonb, p_at timestamptz,
  out suppressed_by text, out maintenance_window_id uuid
)
language plpgsql stable security definer set search_path = ''
as $$
begin
  if exists (
    select 1 from public.silences s
    where s.team_id = p_team_id and p_at >= s.starts_at and p_at < s.ends_at
      and (s.host_id is null or s.host_id = p_host_id)
      and (s.rule_id is null or s.rule_id = p_rule_id)
      and (s.label_key is null
        or (p_labels ? s.label_key and (s.label_value is null or p_labels ->> s.label_key = s.label_value)))
  ) then
    suppressed_by := 'silence';
    return;
  end if;
  select 'maintenance', w.id into suppressed_by, maintenance_window_id
  from public.maintenance_windows w
  where w.team_id = p_team_id and w.enabled
    and (w.scope = 'all'
      or (w.scope = 'hosts' and p_host_id = any (w.host_ids))
      or (w.scope = 'labels' and coalesce(p_labels, '{}') @> w.labels))
    and exists (select 1 from private.maintenance_occurrences(w, p_at, p_at + interval '1 microsecond', 1))
  order by w.created_at, w.id
  limit 1;
end
$$;
comment on function private.alert_suppression is
  'Why notifications for this alert are held back at p_at: silence, maintenance (with the window), or null.';

-- Same signature as before (record_alert_event calls it): now also true inside a maintenance window.
create or replace function private.is_silenced(p_team_id uuid, p_host_id uuid, p_rule_id uuid, p_labels jsonb)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select (private.alert_suppression(p_team_id, p_host_id, p_rule_id, p_labels, now())).suppressed_by is not null
$$;

-- The audit trail says why an event was not notified.
alter table public.alert_events
  add column suppressed_by text constraint alert_events_suppressed_by_known check (suppressed_by in ('silence', 'maintenance')),
  add column maintenance_window_id uuid references public.maintenance_windows (id) on delete set null;
comment on column public.alert_events.suppressed_by is
  'Why a silenced event was not notified: silence (a silence matched) or maintenance (maintenance_window_id was open).';
create index alert_events_maintenance_window_id_idx on public.alert_events (maintenance_window_id)
  where maintenance_window_id is not null;

-- Every path records events through record_alert_event, which sets `silenced` from is_silenced at now();
-- this fills in the reason from the same check (same transaction, same now()).
create function private.explain_suppression() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_labels jsonb;
  v_why record;
begin
  select h.labels into v_labels from public.hosts h where h.id = new.host_id;
  v_why := private.alert_suppression(new.team_id, new.host_id, new.rule_id, coalesce(v_labels, '{}'), now());
  new.suppressed_by := coalesce(v_why.suppressed_by, 'silence');
  new.maintenance_window_id := v_why.maintenance_window_id;
  return new;
end
$$;
create trigger alert_events_explain_suppression before insert on public.alert_events
  for each row when (new.silenced and new.suppressed_by is null) execute function private.explain_suppression();

-- Validation with messages that say what to fix (the checks above are the backstop) --------------
create function private.validate_maintenance_window() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_bad uuid;
  v_key text;
begin
  new.name := btrim(coalesce(new.name, ''));
  if new.name = '' then
    raise exception 'Cannot save the maintenance window: give it a name' using errcode = '22023';
  end if;
  new.time_zone := coalesce(nullif(btrim(new.time_zone), ''), 'UTC');
  if not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.time_zone) then
    raise exception 'Cannot save the maintenance window: unknown time zone "%"', new.time_zone
      using errcode = '22023', hint = 'Use an IANA time zone name such as UTC, Europe/Berlin or America/New_York';
  end if;
  if new.kind = 'once' then
    if new.starts_at is null or new.ends_at is null or new.ends_at <= new.starts_at then
      raise exception 'Cannot save the maintenance window: a one-off window needs starts_at and an ends_at after it'
        using errcode = '22023';
    end if;
    new.weekdays := null; new.start_time := null; new.end_time := null; new.cron := null; new.duration := null;
  elsif new.kind = 'weekly' then
    if coalesce(cardinality(new.weekdays), 0) = 0 or exists (select 1 from unnest(new.weekdays) d where d is null or d not between 1 and 7) then
      raise exception 'Cannot save the maintenance window: choose weekdays as numbers 1 (Monday) to 7 (Sunday)'
        using errcode = '22023';
    end if;
    if new.start_time is null or new.end_time is null or new.start_time = new.end_time then
      raise exception 'Cannot save the maintenance window: a weekly window needs a start and an end time that differ (an end before the start runs past midnight)'
        using errcode = '22023';
    end if;
    new.weekdays := array(select distinct d from unnest(new.weekdays) d order by d);
    new.starts_at := null; new.ends_at := null; new.cron := null; new.duration := null;
  elsif new.kind = 'cron' then
    perform private.parse_cron(new.cron);
    if new.duration is null or new.duration < interval '1 minute' or new.duration > interval '7 days' then
      raise exception 'Cannot save the maintenance window: a cron window needs a duration between 1 minute and 7 days, got %',
        coalesce(new.duration::text, 'none') using errcode = '22023';
    end if;
    if not exists (select 1 from private.cron_occurrences(new.cron, new.time_zone, new.duration, now(),
        now() + interval '5 years', 1)) then
      raise exception 'Invalid cron expression "%": it never matches a date (in the next 5 years)', new.cron
        using errcode = '22023', hint = 'Check the day-of-month and month fields, e.g. "0 0 31 2 *" never occurs';
    end if;
    new.cron := btrim(new.cron);
    new.starts_at := null; new.ends_at := null; new.weekdays := null; new.start_time := null; new.end_time := null;
  else
    raise exception 'Cannot save the maintenance window: kind must be once, weekly or cron, got "%"', new.kind
      using errcode = '22023';
  end if;
  if new.scope = 'hosts' then
    new.host_ids := array(select distinct x from unnest(coalesce(new.host_ids, '{}')) x where x is not null);
    if cardinality(new.host_ids) = 0 then
      raise exception 'Cannot save the maintenance window: choose at least one host (or scope all, or labels)'
        using errcode = '22023';
    end if;
    select x into v_bad from unnest(new.host_ids) x
    where not exists (select 1 from public.hosts h where h.id = x and h.team_id = new.team_id) limit 1;
    if v_bad is not null then
      raise exception 'Cannot save the maintenance window: host % is not a host of this team', v_bad using errcode = '22023';
    end if;
    new.labels := '{}';
  elsif new.scope = 'labels' then
    if jsonb_typeof(new.labels) is distinct from 'object' or new.labels = '{}' then
      raise exception 'Cannot save the maintenance window: labels must be an object of at least one key and value, e.g. {"env": "prod"}'
        using errcode = '22023';
    end if;
    select k into v_key from jsonb_each(new.labels) e(k, v) where jsonb_typeof(v) <> 'string' or k = '' limit 1;
    if found then
      raise exception 'Cannot save the maintenance window: label "%" needs a non-empty key and a text value', v_key
        using errcode = '22023';
    end if;
    new.host_ids := '{}';
  elsif new.scope = 'all' then
    new.host_ids := '{}'; new.labels := '{}';
  end if;
  return new;
end
$$;
create trigger maintenance_windows_validate before insert or update on public.maintenance_windows
  for each row execute function private.validate_maintenance_window();
create trigger maintenance_windows_touch before update on public.maintenance_windows
  for each row execute function private.touch_updated_at();

-- The next (or current) occurrence of each of a team's windows, for the dashboard and Studio.
create function public.next_maintenance_windows(p_team_id uuid, p_at timestamptz default now())
returns table (window_id uuid, starts_at timestamptz, ends_at timestamptz, active boolean)
language sql stable security definer set search_path = ''
as $$
  select w.id, o.starts_at, o.ends_at, o.starts_at <= p_at
  from public.maintenance_windows w
  cross join lateral private.maintenance_occurrences(w, p_at, p_at + interval '5 years', 1) o
  where w.team_id = p_team_id and w.team_id = any ((select private.member_team_ids())::uuid[])
  order by o.starts_at
$$;
comment on function public.next_maintenance_windows(uuid, timestamptz) is
  'Members: the next (or current, active = true) occurrence of each maintenance window of the team after p_at.';

-- RLS: as silences (members read, admins manage) -----------------------------------------------
alter table public.maintenance_windows enable row level security;
create policy "Members can read their team's maintenance windows" on public.maintenance_windows
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can add maintenance windows" on public.maintenance_windows
  for insert to authenticated with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can change maintenance windows" on public.maintenance_windows
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can remove maintenance windows" on public.maintenance_windows
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));
grant select, insert, update, delete on public.maintenance_windows to authenticated;
grant all on public.maintenance_windows to service_role;

-- Server-only helpers (record_alert_event, the triggers, the reminder job) run as the owner.
revoke all on function private.cron_field(text, text, text, integer, integer), private.parse_cron(text),
  private.cron_occurrences(text, text, interval, timestamptz, timestamptz, integer),
  private.maintenance_occurrences(public.maintenance_windows, timestamptz, timestamptz, integer),
  private.alert_suppression(uuid, uuid, uuid, jsonb, timestamptz),
  private.explain_suppression(), private.validate_maintenance_window() from public, anon, authenticated;
revoke all on function public.next_maintenance_windows(uuid, timestamptz) from public, anon;
grant execute on function public.next_maintenance_windows(uuid, timestamptz) to authenticated, service_role;
