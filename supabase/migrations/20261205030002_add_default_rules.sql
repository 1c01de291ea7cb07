-- Default rules: every new team starts with a small set of ordinary rules (editable and removable
-- like any other; without channels until the team adds some, so they show in the dashboard but
-- notify nobody). Existing teams are left as they are: their rules were chosen by someone, and
-- surprise alerts after an upgrade help nobody; an admin adds the set with
-- `select public.add_default_rules('<team id>')`.
--
-- Disk: per-mount rules do not exist yet, so the disk rules watch disk_percent (used % of the
-- host's summed mount sizes, as the agent reports it).

-- Adds the default rules to a team; skips any whose name the team already uses. Runs as the caller,
-- so only the team's owners and admins (alert_rules insert policy) can. Returns the rules added.
create function public.add_default_rules(p_team_id uuid)
returns setof public.alert_rules
language sql volatile security invoker set search_path = ''
as $$
  insert into public.alert_rules (team_id, name, description, source, metric, operator, threshold, for_duration, severity)
  select p_team_id, d.name, d.description, d.source, d.metric, d.operator, d.threshold, d.for_duration::interval, d.severity
  from (values
    ('CPU above 90 %', 'Default rule: CPU busy above 90 % for 5 minutes.', 'host', 'cpu_total', '>', 90, '5 minutes', 'warning'),
    ('Memory above 90 %', 'Default rule: memory used above 90 % for 5 minutes.', 'host', 'mem_percent', '>', 90, '5 minutes', 'warning'),
    ('Disk above 90 %', 'Default rule: disk used above 90 % (all mounts together).', 'host', 'disk_percent', '>', 90, '0', 'warning'),
    ('Disk above 95 %', 'Default rule: disk used above 95 % (all mounts together).', 'host', 'disk_percent', '>', 95, '0', 'critical'),
    ('Host down', 'Default rule: no sample for three intervals (when the dashboard calls a host offline), for 2 minutes.', 'host', 'host_down', '>=', 3, '2 minutes', 'critical'),
    ('Check down', 'Default rule: an HTTP/TCP check down for 1 minute.', 'check', 'check_down', '>=', 1, '1 minute', 'critical'),
    ('TLS certificate expires in < 14 days', 'Default rule: an HTTPS check''s certificate expires within 14 days.',
      'check', 'tls_days_left', '<', 14, '0', 'warning'),
    ('Database connections above 80 %', 'Default rule: connections above 80 % of max_connections for 5 minutes.',
      'db', 'connections_used_pct', '>', 80, '5 minutes', 'warning')
  ) as d (name, description, source, metric, operator, threshold, for_duration, severity)
  where not exists (select 1 from public.alert_rules r where r.team_id = p_team_id and r.name = d.name)
  returning *
$$;
comment on function public.add_default_rules(uuid) is
  'Adds the default rules (CPU, memory, disk, host down, check down, TLS expiry, database connections) to a team, skipping names it already has.';
revoke all on function public.add_default_rules(uuid) from public, anon;
grant execute on function public.add_default_rules(uuid) to authenticated, service_role;

-- New teams get them from a trigger, whoever creates the team (the dashboard, the service role, SQL).
create function private.add_team_default_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform public.add_default_rules(new.id);
  return null;
end
$$;
revoke all on function private.add_team_default_rules() from public, anon, authenticated;
create trigger teams_add_default_rules after insert on public.teams
  for each row execute function private.add_team_default_rules();
