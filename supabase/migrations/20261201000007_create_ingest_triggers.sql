-- Ingest triggers, written for throughput: one statement-level trigger per sample table reads the
-- batch once through its transition table, then
--   * upserts host_latest and hosts.last_seen_at (newest sample per host only),
--   * evaluates the threshold rules covering those hosts (private.evaluate_rules),
--   * sends one Realtime broadcast per team and statement to the private topic team:<team_id>,
--     event "ingest", payload {table, hosts: [host_latest rows without detail], events: [alert_events rows]}
--     (app_samples/db_samples send {table, app|db: [newest row per host and check/database], events: []}).

create function private.on_host_samples_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_snaps jsonb;
  v_events jsonb;
  v_team record;
begin
  with latest as (
    select distinct on (n.host_id) n.* from new_rows n order by n.host_id, n.ts desc
  ),
  seen as (
    update public.hosts h set last_seen_at = l.ts
    from latest l
    where h.id = l.host_id and (h.last_seen_at is null or h.last_seen_at < l.ts)
  ),
  upserted as (
    insert into public.host_latest as hl (
      host_id, ts, cpu_total, cpu_user, cpu_system, cpu_iowait, cpu_steal, cpu_cores, cpu_count,
      load_1, load_5, load_15, mem_total, mem_used, mem_available, swap_total, swap_used,
      disk_total, disk_used, disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops,
      net_rx_bps, net_tx_bps, net_connections, uptime_s, process_count, temp_c, detail,
      team_id, updated_at
    )
    select
      l.host_id, l.ts, l.cpu_total, l.cpu_user, l.cpu_system, l.cpu_iowait, l.cpu_steal,
      l.cpu_cores, l.cpu_count, l.load_1, l.load_5, l.load_15, l.mem_total, l.mem_used,
      l.mem_available, l.swap_total, l.swap_used, l.disk_total, l.disk_used, l.disk_read_bps,
      l.disk_write_bps, l.disk_read_iops, l.disk_write_iops, l.net_rx_bps, l.net_tx_bps,
      l.net_connections, l.uptime_s, l.process_count, l.temp_c, l.detail,
      h.team_id, now()
    from latest l join public.hosts h on h.id = l.host_id
    on conflict (host_id) do update set (
        ts, cpu_total, cpu_user, cpu_system, cpu_iowait, cpu_steal, cpu_cores, cpu_count, load_1,
        load_5, load_15, mem_total, mem_used, mem_available, swap_total, swap_used, disk_total,
        disk_used, disk_read_bps, disk_write_bps, disk_read_iops, disk_write_iops, net_rx_bps,
        net_tx_bps, net_connections, uptime_s, process_count, temp_c, detail,
        updated_at
      ) = (
        excluded.ts, excluded.cpu_total, excluded.cpu_user, excluded.cpu_system,
        excluded.cpu_iowait, excluded.cpu_steal, excluded.cpu_cores, excluded.cpu_count,
        excluded.load_1, excluded.load_5, excluded.load_15, excluded.mem_total, excluded.mem_used,
        excluded.mem_available, excluded.swap_total, excluded.swap_used, excluded.disk_total,
        excluded.disk_used, excluded.disk_read_bps, excluded.disk_write_bps,
        excluded.disk_read_iops, excluded.disk_write_iops, excluded.net_rx_bps,
        excluded.net_tx_bps, excluded.net_connections, excluded.uptime_s, excluded.process_count,
        excluded.temp_c, excluded.detail,
        now()
      )
    where hl.ts < excluded.ts
    returning hl.*
  )
  select jsonb_agg(to_jsonb(u) - 'detail') into v_snaps from upserted u;
  if v_snaps is null then
    return null;
  end if;

  -- Fresh samples also answer host_down rules: zero missed intervals.
  select coalesce(jsonb_agg(to_jsonb(e)), '[]') into v_events
  from private.evaluate_rules((select jsonb_agg(s || '{"host_down": 0}') from jsonb_array_elements(v_snaps) s)) e;

  for v_team in
    select s ->> 'team_id' as team_id, jsonb_agg(s) as hosts from jsonb_array_elements(v_snaps) s group by 1
  loop
    perform realtime.send(
      jsonb_build_object('table', 'host_samples', 'hosts', v_team.hosts,
        'events', coalesce((select jsonb_agg(e) from jsonb_array_elements(v_events) e where e ->> 'team_id' = v_team.team_id), '[]')),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;
create trigger host_samples_after_insert after insert on public.host_samples
  referencing new table as new_rows
  for each statement execute function private.on_host_samples_inserted();

create function private.on_app_samples_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_team record;
begin
  update public.hosts h set last_seen_at = l.ts
  from (select n.host_id, max(n.ts) as ts from new_rows n group by n.host_id) l
  where h.id = l.host_id and (h.last_seen_at is null or h.last_seen_at < l.ts);
  for v_team in
    select h.team_id, jsonb_agg(to_jsonb(l) - 'detail') as app
    from (select distinct on (n.host_id, n.check_name) n.* from new_rows n order by n.host_id, n.check_name, n.ts desc) l
    join public.hosts h on h.id = l.host_id
    group by h.team_id
  loop
    perform realtime.send(jsonb_build_object('table', 'app_samples', 'app', v_team.app, 'events', '[]'::jsonb),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;
create trigger app_samples_after_insert after insert on public.app_samples
  referencing new table as new_rows
  for each statement execute function private.on_app_samples_inserted();

create function private.on_db_samples_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_team record;
begin
  update public.hosts h set last_seen_at = l.ts
  from (select n.host_id, max(n.ts) as ts from new_rows n group by n.host_id) l
  where h.id = l.host_id and (h.last_seen_at is null or h.last_seen_at < l.ts);
  for v_team in
    select h.team_id, jsonb_agg(to_jsonb(l) - 'top_statements') as db
    from (select distinct on (n.host_id, n.db_name) n.* from new_rows n order by n.host_id, n.db_name, n.ts desc) l
    join public.hosts h on h.id = l.host_id
    group by h.team_id
  loop
    perform realtime.send(jsonb_build_object('table', 'db_samples', 'db', v_team.db, 'events', '[]'::jsonb),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;
create trigger db_samples_after_insert after insert on public.db_samples
  referencing new table as new_rows
  for each statement execute function private.on_db_samples_inserted();

-- A trigger fires without an EXECUTE check, so nobody needs the privilege.
revoke all on function private.on_host_samples_inserted, private.on_app_samples_inserted, private.on_db_samples_inserted
  from public, anon, authenticated;

-- Private Realtime topics: the ingest triggers broadcast to `team:<team_id>`; only members of that
-- team may join it (supabase.channel('team:<id>', { config: { private: true } })).
-- No insert policy: clients cannot broadcast into a team topic; only the database does.

create policy "Members can receive their team's broadcasts" on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select realtime.topic()) like 'team:%'
    and (select realtime.topic()) = any (
      select 'team:' || t from unnest((select private.member_team_ids())::uuid[]) t
    )
  );
