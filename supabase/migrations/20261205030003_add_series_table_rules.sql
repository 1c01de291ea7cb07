-- Rules on each mount, disk, network interface and container, from the per-series host tables
-- (…_20261205020001: host_mount_samples, host_disk_samples, host_interface_samples, container_samples,
-- filled from each host sample by their own trigger). Each is one rule source of the catalogue plus a
-- statement trigger that hands the batch to private.evaluate_samples. A rule addresses one mount /
-- device / interface / container (series_match) or any.
--
-- Applied after those tables exist; where they do not (a branch without them), it changes nothing.
-- With mounts available, the default disk rules watch every mount instead of the host's summed disk.

-- Evaluates the rules of the sources reading the trigger's table over the statement's rows and
-- broadcasts the events (only when there are some: the rows themselves reach the dashboard with the
-- host sample).
create function private.on_series_samples_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_events jsonb;
  v_team record;
begin
  v_events := private.evaluate_samples(tg_table_name, (select jsonb_agg(to_jsonb(n)) from new_rows n));
  for v_team in
    select e ->> 'team_id' as team_id, jsonb_agg(e) as events from jsonb_array_elements(v_events) e group by 1
  loop
    perform realtime.send(jsonb_build_object('table', tg_table_name, 'hosts', '[]'::jsonb, 'events', v_team.events),
      'ingest', 'team:' || v_team.team_id, true);
  end loop;
  return null;
end
$$;
revoke all on function private.on_series_samples_inserted() from public, anon, authenticated;

do $migration$
declare
  v_table text;
begin
  if to_regclass('public.host_mount_samples') is not null then
    insert into private.rule_sources (source, ord, label, sample_table, row_filter, series_sql, dims) values
      ('mount', 4, 'Mount', 'host_mount_samples', 'true', $$r ->> 'mount'$$,
        $${"mount": "r ->> 'mount'", "device": "r ->> 'device'", "fstype": "r ->> 'fstype'"}$$);
    insert into private.rule_metrics (source, metric, ord, value_sql) values
      ('mount', 'used_percent', 1, $$100 * (r ->> 'used')::float8 / nullif((r ->> 'total')::float8, 0)$$),
      ('mount', 'inodes_percent', 2, $$(r ->> 'inodes_percent')::float8$$),
      ('mount', 'available_bytes', 3, $$(r ->> 'available')::float8$$);
  end if;
  if to_regclass('public.host_disk_samples') is not null then
    insert into private.rule_sources (source, ord, label, sample_table, row_filter, series_sql, dims) values
      ('disk', 5, 'Disk device', 'host_disk_samples', 'true', $$r ->> 'device'$$, $${"device": "r ->> 'device'"}$$);
    insert into private.rule_metrics (source, metric, ord, value_sql) values
      ('disk', 'util_percent', 1, $$(r ->> 'util_percent')::float8$$),
      ('disk', 'read_bps', 2, $$(r ->> 'read_bps')::float8$$),
      ('disk', 'write_bps', 3, $$(r ->> 'write_bps')::float8$$);
  end if;
  if to_regclass('public.host_interface_samples') is not null then
    insert into private.rule_sources (source, ord, label, sample_table, row_filter, series_sql, dims) values
      ('interface', 6, 'Network interface', 'host_interface_samples', 'true', $$r ->> 'interface'$$,
        $${"interface": "r ->> 'interface'"}$$);
    insert into private.rule_metrics (source, metric, ord, value_sql) values
      ('interface', 'rx_bps', 1, $$(r ->> 'rx_bps')::float8$$),
      ('interface', 'tx_bps', 2, $$(r ->> 'tx_bps')::float8$$),
      ('interface', 'rx_errors_ps', 3, $$(r ->> 'rx_errors_ps')::float8$$),
      ('interface', 'tx_errors_ps', 4, $$(r ->> 'tx_errors_ps')::float8$$);
  end if;
  if to_regclass('public.container_samples') is not null then
    -- The series is the container's name: it survives a re-create, which changes the id.
    insert into private.rule_sources (source, ord, label, sample_table, row_filter, series_sql, dims) values
      ('container', 7, 'Container', 'container_samples', 'true', $$coalesce(r ->> 'name', r ->> 'container_id')$$,
        $${"container": "coalesce(r ->> 'name', r ->> 'container_id')", "image": "r ->> 'image'"}$$);
    insert into private.rule_metrics (source, metric, ord, value_sql) values
      ('container', 'cpu_percent', 1, $$(r ->> 'cpu_percent')::float8$$),
      ('container', 'mem_percent', 2, $$100 * (r ->> 'mem_used')::float8 / nullif((r ->> 'mem_limit')::float8, 0)$$),
      ('container', 'mem_used', 3, $$(r ->> 'mem_used')::float8$$),
      ('container', 'pids', 4, $$(r ->> 'pids')::float8$$);
  end if;
  call private.generate_rule_source_code();
  for v_table in
    select distinct s.sample_table from private.rule_sources s
    where s.sample_table in ('host_mount_samples', 'host_disk_samples', 'host_interface_samples', 'container_samples')
  loop
    execute format('create trigger %I after insert on public.%I referencing new table as new_rows
      for each statement execute function private.on_series_samples_inserted()', v_table || '_evaluate_rules', v_table);
  end loop;

  if to_regclass('public.host_mount_samples') is not null then
    -- Default rules: any mount instead of the summed disk.
    create or replace function public.add_default_rules(p_team_id uuid)
    returns setof public.alert_rules
    language sql volatile security invoker set search_path = ''
    as $fn$
      insert into public.alert_rules (team_id, name, description, source, metric, operator, threshold, for_duration, severity)
      select p_team_id, d.name, d.description, d.source, d.metric, d.operator, d.threshold, d.for_duration::interval, d.severity
      from (values
        ('CPU above 90 %', 'Default rule: CPU busy above 90 % for 5 minutes.', 'host', 'cpu_total', '>', 90, '5 minutes', 'warning'),
        ('Memory above 90 %', 'Default rule: memory used above 90 % for 5 minutes.', 'host', 'mem_percent', '>', 90, '5 minutes', 'warning'),
        ('Mount above 90 %', 'Default rule: any mount more than 90 % full.', 'mount', 'used_percent', '>', 90, '0', 'warning'),
        ('Mount above 95 %', 'Default rule: any mount more than 95 % full.', 'mount', 'used_percent', '>', 95, '0', 'critical'),
        ('Host down', 'Default rule: no sample for three intervals (when the dashboard calls a host offline), for 2 minutes.', 'host', 'host_down', '>=', 3, '2 minutes', 'critical'),
        ('Check down', 'Default rule: an HTTP/TCP check down for 1 minute.', 'check', 'check_down', '>=', 1, '1 minute', 'critical'),
        ('TLS certificate expires in < 14 days', 'Default rule: an HTTPS check''s certificate expires within 14 days.',
          'check', 'tls_days_left', '<', 14, '0', 'warning'),
        ('Database connections above 80 %', 'Default rule: connections above 80 % of max_connections for 5 minutes.',
          'db', 'connections_used_pct', '>', 80, '5 minutes', 'warning')
      ) as d (name, description, source, metric, operator, threshold, for_duration, severity)
      where not exists (select 1 from public.alert_rules r where r.team_id = p_team_id and r.name = d.name)
      returning *
    $fn$;
  end if;
end
$migration$;
