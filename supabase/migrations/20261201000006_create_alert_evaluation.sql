-- Threshold rule evaluation in SQL: one pure state-machine step (shared by ingest, the host-down
-- schedule and backtest_rule), event recording with silence check and outbox fan-out, and the
-- set-based evaluation of every rule covering a batch of host snapshots.

-- One step of the state machine: ok → pending → firing → ok.
-- pending until the breach has lasted for_duration; firing until the value has been past the
-- recovery threshold (hysteresis) for keep_firing_for; a pending breach that ends is cancelled.
create function private.alert_step(
  p_status text, p_pending_since timestamptz, p_recovering_since timestamptz,
  p_operator text, p_threshold double precision, p_recovery double precision,
  p_for interval, p_keep interval, p_value double precision, p_ts timestamptz,
  out status text, out pending_since timestamptz, out recovering_since timestamptz, out event text
)
language plpgsql immutable set search_path = ''
as $$
declare
  v_breach boolean;
  v_recovered boolean;
begin
  status := coalesce(p_status, 'ok');
  pending_since := p_pending_since;
  recovering_since := p_recovering_since;
  event := null;
  if p_value is null then
    return;
  end if;
  v_breach := case p_operator
    when '>' then p_value > p_threshold when '>=' then p_value >= p_threshold
    when '<' then p_value < p_threshold when '<=' then p_value <= p_threshold end;
  v_recovered := case
    when p_recovery is null then not v_breach
    when p_operator in ('>', '>=') then p_value < p_recovery
    else p_value > p_recovery end;
  if status = 'ok' then
    if v_breach then
      if p_for <= interval '0' then
        status := 'firing'; event := 'firing'; pending_since := null;
      else
        status := 'pending'; event := 'pending'; pending_since := p_ts;
      end if;
      recovering_since := null;
    end if;
  elsif status = 'pending' then
    if not v_breach then
      status := 'ok'; event := 'cancelled'; pending_since := null;
    elsif p_ts - pending_since >= p_for then
      status := 'firing'; event := 'firing'; pending_since := null;
    end if;
  elsif status = 'firing' then
    if v_recovered then
      recovering_since := coalesce(recovering_since, p_ts);
      if p_ts - recovering_since >= p_keep then
        status := 'ok'; event := 'resolved'; recovering_since := null;
      end if;
    else
      recovering_since := null;
    end if;
  end if;
end
$$;
comment on function private.alert_step is 'Pure alert state transition for one value; event is null when the status did not change.';

-- Whether a silence covers an alert on this host and rule right now.
create function private.is_silenced(p_team_id uuid, p_host_id uuid, p_rule_id uuid, p_labels jsonb)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.silences s
    where s.team_id = p_team_id and now() >= s.starts_at and now() < s.ends_at
      and (s.host_id is null or s.host_id = p_host_id)
      and (s.rule_id is null or s.rule_id = p_rule_id)
      and (s.label_key is null
        or (p_labels ? s.label_key and (s.label_value is null or p_labels ->> s.label_key = s.label_value)))
  )
$$;

-- Records one transition; firing and resolved events fan out to the rule's enabled channels
-- (one outbox row per event and channel) unless silenced.
create function private.record_alert_event(
  p_rule public.alert_rules, p_host_id uuid, p_kind text, p_from text, p_to text,
  p_value double precision, p_ts timestamptz, p_reason text default null
)
returns public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  v_event public.alert_events;
  v_labels jsonb;
  v_silenced boolean;
begin
  select h.labels into v_labels from public.hosts h where h.id = p_host_id;
  v_silenced := private.is_silenced(p_rule.team_id, p_host_id, p_rule.id, coalesce(v_labels, '{}'));
  insert into public.alert_events (team_id, rule_id, host_id, kind, from_status, to_status, rule_name, metric, severity,
    value, threshold, reason, silenced, occurred_at)
  values (p_rule.team_id, p_rule.id, p_host_id, p_kind, p_from, p_to, p_rule.name, p_rule.metric, p_rule.severity,
    p_value, p_rule.threshold, p_reason, v_silenced, p_ts)
  returning * into v_event;
  if p_kind in ('firing', 'resolved') and not v_silenced then
    insert into public.notifications (team_id, event_id, channel_id)
    select p_rule.team_id, v_event.id, c.id
    from public.channels c
    where c.id = any (p_rule.channel_ids) and c.team_id = p_rule.team_id and c.enabled
    on conflict (event_id, channel_id) do nothing;
  end if;
  return v_event;
end
$$;

-- Evaluates every enabled rule covering the given snapshots. p_snapshots is a jsonb array of
-- objects {host_id, ts, <metric>: value, …} (a host_latest row as jsonb, or {host_id, ts, host_down}).
-- A rule is stepped only when its metric is present, and never with a snapshot older than the
-- one it last saw (replays of old data do not rewind alerts). Anomaly rules are left to
-- detect-anomalies. Returns the events written.
create function private.evaluate_rules(p_snapshots jsonb)
returns setof public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  c record;
  v_step record;
  v_event public.alert_events;
begin
  for c in
    select r as rule, s.host_id, s.ts, s.value, st.status, st.pending_since, st.recovering_since, st.evaluated_at
    from (
      select (e ->> 'host_id')::uuid as host_id, (e ->> 'ts')::timestamptz as ts, e as snap
      from jsonb_array_elements(p_snapshots) e
    ) snap
    join public.hosts h on h.id = snap.host_id
    join public.alert_rules r on r.team_id = h.team_id and r.enabled and r.kind = 'threshold'
      and (r.scope = 'all'
        or (r.scope = 'host' and r.scope_host_id = h.id)
        or (r.scope = 'label' and h.labels ? r.scope_label_key
            and (r.scope_label_value is null or h.labels ->> r.scope_label_key = r.scope_label_value)))
    cross join lateral (select snap.host_id, snap.ts, (snap.snap ->> r.metric)::double precision as value) s
    left join public.alert_states st on st.rule_id = r.id and st.host_id = snap.host_id
    where s.value is not null and (st.evaluated_at is null or st.evaluated_at <= snap.ts)
    order by r.id, snap.host_id
  loop
    v_step := private.alert_step(c.status, c.pending_since, c.recovering_since, (c.rule).operator, (c.rule).threshold,
      (c.rule).recovery_threshold, (c.rule).for_duration, (c.rule).keep_firing_for, c.value, c.ts);
    insert into public.alert_states as a (rule_id, host_id, team_id, status, value, since, pending_since, recovering_since, evaluated_at)
    values ((c.rule).id, c.host_id, (c.rule).team_id, v_step.status, c.value, c.ts, v_step.pending_since,
      v_step.recovering_since, c.ts)
    on conflict (rule_id, host_id) do update set
      status = excluded.status,
      value = excluded.value,
      since = case when a.status = excluded.status then a.since else excluded.since end,
      pending_since = excluded.pending_since,
      recovering_since = excluded.recovering_since,
      evaluated_at = excluded.evaluated_at;
    if v_step.event is not null then
      v_event := private.record_alert_event(c.rule, c.host_id, v_step.event, coalesce(c.status, 'ok'), v_step.status,
        c.value, c.ts);
      return next v_event;
    end if;
  end loop;
end
$$;

-- A rule switched off or deleted mid-incident resolves (or cancels) its open alerts, so nothing
-- stays firing forever and the audit trail says why.
create function private.close_rule_alerts() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_state record;
  v_events jsonb := '[]';
  v_event public.alert_events;
begin
  for v_state in
    select * from public.alert_states s where s.rule_id = old.id and s.status in ('pending', 'firing')
  loop
    v_event := private.record_alert_event(old, v_state.host_id,
      case v_state.status when 'firing' then 'resolved' else 'cancelled' end,
      v_state.status, 'ok', v_state.value, now(),
      case tg_op when 'DELETE' then 'rule deleted' else 'rule disabled' end);
    v_events := v_events || to_jsonb(v_event);
  end loop;
  delete from public.alert_states s where s.rule_id = old.id;
  if jsonb_array_length(v_events) > 0 then
    perform realtime.send(jsonb_build_object('table', 'alert_rules', 'hosts', '[]'::jsonb, 'events', v_events),
      'ingest', 'team:' || old.team_id, true);
  end if;
  -- A before-delete trigger must hand back the row, or the delete is skipped.
  return case tg_op when 'DELETE' then old else null end;
end
$$;
create trigger alert_rules_close_when_disabled after update of enabled on public.alert_rules
  for each row when (old.enabled and not new.enabled) execute function private.close_rule_alerts();
create trigger alert_rules_close_when_deleted before delete on public.alert_rules
  for each row execute function private.close_rule_alerts();

-- Keep updated_at honest for the dashboard.
create trigger alert_rules_touch before update on public.alert_rules
  for each row execute function private.touch_updated_at();

-- Host-down: on a schedule, each host_down rule sees the number of sample intervals missed.
create function private.check_hosts_down() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_team record;
  v_count integer := 0;
  v_events jsonb;
begin
  for v_team in
    select h.team_id,
      jsonb_agg(jsonb_build_object('host_id', h.id, 'ts', now(),
        'host_down', extract(epoch from now() - h.last_seen_at) / h.sample_interval_s)) as snaps
    from public.hosts h
    where h.last_seen_at is not null
      and exists (select 1 from public.alert_rules r where r.team_id = h.team_id and r.enabled and r.metric = 'host_down')
    group by h.team_id
  loop
    select coalesce(jsonb_agg(to_jsonb(e)), '[]') into v_events from private.evaluate_rules(v_team.snaps) e;
    if jsonb_array_length(v_events) > 0 then
      v_count := v_count + jsonb_array_length(v_events);
      perform realtime.send(jsonb_build_object('table', 'hosts', 'hosts', '[]'::jsonb, 'events', v_events),
        'ingest', 'team:' || v_team.team_id, true);
    end if;
  end loop;
  return v_count;
end
$$;
comment on function private.check_hosts_down() is 'Steps host_down rules with missed intervals; run every minute by pg_cron.';

-- Server-only (the ingest triggers, pg_cron, the service-role RPCs), run as the owner; close_rule_alerts
-- is a trigger function, which fires without an EXECUTE check.
revoke all on function private.is_silenced, private.record_alert_event, private.evaluate_rules,
  private.close_rule_alerts, private.check_hosts_down from public, anon, authenticated;
-- backtest_rule runs as the caller (security invoker) and steps this pure function.
revoke all on function private.alert_step from public, anon;
grant execute on function private.alert_step to authenticated, service_role;
