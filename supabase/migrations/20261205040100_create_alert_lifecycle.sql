-- Alert lifecycle after firing: acknowledgement (who, when, note) and reminders.
--   acknowledge_alert(rule, host, note): owners and admins mark a firing alert as being handled; recorded as an
--     'acknowledged' event (notified like firing, so paging channels can stop escalating) and it stops reminders.
--   Reminders: every minute pg_cron runs private.send_alert_reminders(), which records a 'reminder' event (and
--     outbox rows) for each firing, unacknowledged alert whose last notice is older than its rule's
--     repeat_interval (default 4 h; null = never), unless a silence or maintenance window holds it back.
--   A status change (resolve, or firing again after ok) clears the acknowledgement and the reminder clock;
--   resolved notices go out as before, acknowledged or not.
-- Evaluation (alert_step, evaluate_rules, record_alert_event) is unchanged: all of this hangs off alert_states.
-- One alert is a rule on a host and, for rules over per-mount/route/check series, one series ('' for host
-- metrics): the columns below are added here only if …_add_rule_sources.sql has not added them already.
alter table public.alert_states add column if not exists series text not null default '';
alter table public.alert_events add column if not exists source text not null default 'host',
  add column if not exists series text not null default '';

alter table public.alert_rules
  add column repeat_interval interval default interval '4 hours'
    constraint alert_rules_repeat_interval_range
    check (repeat_interval is null or repeat_interval between interval '5 minutes' and interval '7 days');
comment on column public.alert_rules.repeat_interval is
  'Firing, unacknowledged alerts are notified again this often (5 minutes to 7 days; null = never).';

alter table public.alert_states
  add column acknowledged_at timestamptz,
  add column acknowledged_by uuid references auth.users (id) on delete set null,
  add column ack_note text constraint alert_states_ack_note_length check (char_length(ack_note) <= 500),
  add column last_reminder_at timestamptz;
comment on column public.alert_states.acknowledged_at is 'When a member acknowledged this firing alert (cleared when it resolves or fires anew).';
comment on column public.alert_states.last_reminder_at is 'The last reminder sent; the next is due repeat_interval after it (or after since).';

alter table public.alert_events
  drop constraint alert_events_kind_known,
  add constraint alert_events_kind_known
    check (kind in ('pending', 'firing', 'resolved', 'cancelled', 'acknowledged', 'reminder')),
  add column actor_id uuid references auth.users (id) on delete set null,
  add column actor_email text constraint alert_events_actor_email_length check (char_length(actor_email) <= 320),
  add column note text constraint alert_events_note_length check (char_length(note) <= 500);
comment on column public.alert_events.actor_id is 'acknowledged: the member who acknowledged (actor_email as it was then).';
comment on column public.alert_events.note is 'acknowledged: the note the member left.';

-- Resolving, or firing again after ok, starts a fresh incident: no acknowledgement, no reminder clock.
create function private.reset_alert_lifecycle() returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.acknowledged_at := null;
  new.acknowledged_by := null;
  new.ack_note := null;
  new.last_reminder_at := null;
  return new;
end
$$;
create trigger alert_states_reset_lifecycle before update on public.alert_states
  for each row when (old.status is distinct from new.status) execute function private.reset_alert_lifecycle();

-- Outbox rows for one event: the rule's enabled channels (as record_alert_event does).
create function private.notify_rule_channels(p_rule public.alert_rules, p_event_id bigint) returns void
language sql security definer set search_path = ''
as $$
  insert into public.notifications (team_id, event_id, channel_id)
  select p_rule.team_id, p_event_id, c.id
  from public.channels c
  where c.id = any (p_rule.channel_ids) and c.team_id = p_rule.team_id and c.enabled
  on conflict (event_id, channel_id) do nothing
$$;

-- "4 h 10 min", "2 d 3 h": how long an alert has been firing, for reminder texts.
create function private.human_duration(p_span interval) returns text
language sql immutable set search_path = ''
as $$
  select case
    when s >= 86400 then format('%s d %s h', s / 86400, (s % 86400) / 3600)
    when s >= 3600 then format('%s h %s min', s / 3600, (s % 3600) / 60)
    else format('%s min', s / 60) end
  from (select greatest(extract(epoch from p_span), 0)::bigint as s) x
$$;

create function public.acknowledge_alert(p_rule_id uuid, p_host_id uuid, p_note text default null, p_series text default '')
returns public.alert_events
language plpgsql security definer set search_path = ''
as $$
declare
  v_state public.alert_states;
  v_rule public.alert_rules;
  v_note text := nullif(btrim(coalesce(p_note, '')), '');
  v_labels jsonb;
  v_why record;
  v_event public.alert_events;
begin
  if (select auth.uid()) is null then
    raise exception 'Cannot acknowledge: sign in first' using errcode = '42501';
  end if;
  if char_length(v_note) > 500 then
    raise exception 'Cannot acknowledge: the note is % characters, at most 500 are kept', char_length(v_note)
      using errcode = '22023';
  end if;
  select * into v_state from public.alert_states s
  where s.rule_id = p_rule_id and s.host_id = p_host_id and s.series = coalesce(p_series, '') for update;
  if not found or not (v_state.team_id = any ((select private.member_team_ids())::uuid[])) then
    raise exception 'Cannot acknowledge: no alert of this rule on this host in your teams'
      using errcode = 'PT404', detail = 'alert_not_found';
  end if;
  if not (v_state.team_id = any ((select private.admin_team_ids())::uuid[])) then
    raise exception 'Cannot acknowledge: only owners and admins of the team can acknowledge alerts' using errcode = '42501';
  end if;
  if v_state.status <> 'firing' then
    raise exception 'Cannot acknowledge: the alert is %, only a firing alert can be acknowledged', v_state.status
      using errcode = 'PT409', detail = 'alert_not_firing';
  end if;
  if v_state.acknowledged_at is not null then
    raise exception 'Cannot acknowledge: already acknowledged at %', v_state.acknowledged_at
      using errcode = 'PT409', detail = 'already_acknowledged';
  end if;
  select * into v_rule from public.alert_rules r where r.id = p_rule_id;
  update public.alert_states s set acknowledged_at = now(), acknowledged_by = (select auth.uid()), ack_note = v_note
  where s.rule_id = p_rule_id and s.host_id = p_host_id and s.series = v_state.series;
  select h.labels into v_labels from public.hosts h where h.id = p_host_id;
  v_why := private.alert_suppression(v_state.team_id, p_host_id, p_rule_id, coalesce(v_labels, '{}'), now());
  insert into public.alert_events (team_id, rule_id, host_id, kind, from_status, to_status, rule_name, metric, severity,
    value, threshold, silenced, suppressed_by, maintenance_window_id, occurred_at, actor_id, actor_email, note, source, series)
  values (v_state.team_id, p_rule_id, p_host_id, 'acknowledged', 'firing', 'firing', v_rule.name, v_rule.metric,
    v_rule.severity, v_state.value, v_rule.threshold, v_why.suppressed_by is not null, v_why.suppressed_by,
    v_why.maintenance_window_id, now(), (select auth.uid()),
    (select u.email from auth.users u where u.id = (select auth.uid())), v_note,
    coalesce(to_jsonb(v_rule) ->> 'source', 'host'), v_state.series)
  returning * into v_event;
  if v_why.suppressed_by is null then
    perform private.notify_rule_channels(v_rule, v_event.id);
  end if;
  perform realtime.send(jsonb_build_object('table', 'alert_states', 'hosts', '[]'::jsonb, 'events', jsonb_build_array(to_jsonb(v_event))),
    'ingest', 'team:' || v_state.team_id, true);
  return v_event;
end
$$;
comment on function public.acknowledge_alert(uuid, uuid, text, text) is
  'Owners and admins: acknowledge a firing alert (rule, host, series; note up to 500 characters); stops its reminders until it resolves or fires anew.';

-- Reminders for firing, unacknowledged alerts whose last notice is older than the rule's repeat_interval.
-- p_now drives the clock (tests pass explicit times; pg_cron passes none); p_team_id limits the run to one
-- team (null: all). Returns the events recorded.
create function private.send_alert_reminders(p_now timestamptz default now(), p_team_id uuid default null) returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v record;
  v_why record;
  v_event public.alert_events;
  v_events jsonb := '{}';
  v_team text;
  v_count integer := 0;
begin
  for v in
    select s.rule_id, s.host_id, s.series, s.team_id, s.value, s.since, r as rule, coalesce(h.labels, '{}') as labels
    from public.alert_states s
    join public.alert_rules r on r.id = s.rule_id
    left join public.hosts h on h.id = s.host_id
    where s.status = 'firing' and s.acknowledged_at is null and r.enabled and r.repeat_interval is not null
      and (p_team_id is null or s.team_id = p_team_id)
      and p_now >= coalesce(s.last_reminder_at, s.since) + r.repeat_interval
    order by s.team_id, s.since
    for update of s skip locked
  loop
    v_why := private.alert_suppression(v.team_id, v.host_id, v.rule_id, v.labels, p_now);
    -- Held back: remind as soon as the silence or window is over.
    continue when v_why.suppressed_by is not null;
    insert into public.alert_events (team_id, rule_id, host_id, kind, from_status, to_status, rule_name, metric, severity,
      value, threshold, reason, occurred_at, source, series)
    values (v.team_id, v.rule_id, v.host_id, 'reminder', 'firing', 'firing', (v.rule).name, (v.rule).metric,
      (v.rule).severity, v.value, (v.rule).threshold, 'firing for ' || private.human_duration(p_now - v.since), p_now,
      coalesce(to_jsonb(v.rule) ->> 'source', 'host'), v.series)
    returning * into v_event;
    perform private.notify_rule_channels(v.rule, v_event.id);
    update public.alert_states s set last_reminder_at = p_now
    where s.rule_id = v.rule_id and s.host_id = v.host_id and s.series = v.series;
    v_events := jsonb_set(v_events, array[v.team_id::text],
      coalesce(v_events -> v.team_id::text, '[]'::jsonb) || to_jsonb(v_event));
    v_count := v_count + 1;
  end loop;
  for v_team in select jsonb_object_keys(v_events) loop
    perform realtime.send(jsonb_build_object('table', 'alert_states', 'hosts', '[]'::jsonb, 'events', v_events -> v_team),
      'ingest', 'team:' || v_team, true);
  end loop;
  return v_count;
end
$$;
comment on function private.send_alert_reminders(timestamptz, uuid) is
  'Records a reminder event (and outbox rows) for each firing, unacknowledged, unsuppressed alert due at p_now; run every minute by pg_cron.';

revoke all on function private.reset_alert_lifecycle(), private.notify_rule_channels(public.alert_rules, bigint),
  private.human_duration(interval), private.send_alert_reminders(timestamptz, uuid) from public, anon, authenticated;
revoke all on function public.acknowledge_alert(uuid, uuid, text, text) from public, anon;
grant execute on function public.acknowledge_alert(uuid, uuid, text, text) to authenticated, service_role;

-- Only when something could be due: a firing alert exists.
do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-alert-reminders', '* * * * *',
      $job$select private.send_alert_reminders() where exists (select 1 from public.alert_states where status = 'firing')$job$);
  end if;
end
$$;
