-- Alerting tables: threshold rules, their per-host state, the event audit trail, silences,
-- notification channels (secrets apart) and the notifications outbox.
-- The evaluation itself lives in the next migration.

create table public.channels (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  name text not null constraint channels_name_length check (char_length(name) between 1 and 100),
  kind text not null constraint channels_kind_known check (kind in ('email', 'slack', 'discord', 'webhook')),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  unique (id, team_id)
);
comment on table public.channels is 'Where notifications go. Secrets (webhook URLs, API keys, addresses) are in channel_secrets.';
create index channels_team_id_idx on public.channels (team_id);

-- Kept apart so viewers can list channels without ever reading a webhook URL or API key.
create table public.channel_secrets (
  channel_id uuid primary key,
  team_id uuid not null,
  -- email: {"to": ["ops@example.com"]}; slack/discord/webhook: {"url": "https://…"}; optional "secret", "api_key", "headers"
  config jsonb not null default '{}'
    constraint channel_secrets_config_object check (jsonb_typeof(config) = 'object' and pg_column_size(config) <= 8192),
  updated_at timestamptz not null default now(),
  foreign key (channel_id, team_id) references public.channels (id, team_id) on delete cascade
);
comment on table public.channel_secrets is 'Channel targets and credentials; owners and admins only.';
create index channel_secrets_team_id_idx on public.channel_secrets (team_id);

create table public.alert_rules (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  name text not null constraint alert_rules_name_length check (char_length(name) between 1 and 100),
  description text constraint alert_rules_description_length check (char_length(description) <= 1000),
  -- A host_samples column, or host_down (missed sample intervals, evaluated on a schedule).
  -- Checked by alert_rules_metric_known, generated from the host metric catalogue below.
  metric text not null,
  operator text not null default '>' constraint alert_rules_operator_known check (operator in ('>', '>=', '<', '<=')),
  threshold double precision not null,
  -- Hysteresis: once firing, resolve only beyond this value (below it for > and >=). Null = the threshold.
  recovery_threshold double precision,
  for_duration interval not null default interval '0'
    constraint alert_rules_for_duration_range check (for_duration between interval '0' and interval '1 day'),
  keep_firing_for interval not null default interval '0'
    constraint alert_rules_keep_firing_range check (keep_firing_for between interval '0' and interval '1 day'),
  severity text not null default 'warning' constraint alert_rules_severity_known check (severity in ('warning', 'critical')),
  scope text not null default 'all' constraint alert_rules_scope_known check (scope in ('host', 'label', 'all')),
  scope_host_id uuid references public.hosts (id) on delete cascade,
  scope_label_key text constraint alert_rules_label_key_length check (char_length(scope_label_key) between 1 and 100),
  scope_label_value text constraint alert_rules_label_value_length check (char_length(scope_label_value) <= 200),
  channel_ids uuid[] not null default '{}' constraint alert_rules_channels_bounded check (cardinality(channel_ids) <= 20),
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Anomaly rules watch one rolled-up metric against its robust baseline (median ± k·MAD per hour of
  -- week, or a rolling 24 h when less than three weeks of history exist); for them threshold is the
  -- anomalous share of the trigger window that fires (0–1], checked by alert_rules_anomaly_shape.
  kind text not null default 'threshold' constraint alert_rules_kind_known check (kind in ('threshold', 'anomaly')),
  sensitivity text not null default 'medium'
    constraint alert_rules_sensitivity_known check (sensitivity in ('low', 'medium', 'high')),
  anomaly_window interval not null default interval '5 minutes'
    constraint alert_rules_anomaly_window_range check (anomaly_window between interval '1 minute' and interval '1 hour'),
  recovery_window interval not null default interval '5 minutes'
    constraint alert_rules_recovery_window_range check (recovery_window between interval '1 minute' and interval '1 hour'),
  constraint alert_rules_scope_complete check (
    (scope = 'host' and scope_host_id is not null)
    or (scope = 'label' and scope_label_key is not null)
    or scope = 'all'
  ),
  constraint alert_rules_recovery_on_safe_side check (
    recovery_threshold is null
    or (operator in ('>', '>=') and recovery_threshold <= threshold)
    or (operator in ('<', '<=') and recovery_threshold >= threshold)
  )
);
comment on table public.alert_rules is
  'Threshold rules over host metrics: pending for for_duration, firing, resolved past recovery_threshold after keep_firing_for.';
comment on column public.alert_rules.kind is
  'threshold: metric compared with threshold in SQL at ingest; anomaly: metric outside its baseline band for threshold (share 0–1) of anomaly_window.';
comment on column public.alert_rules.sensitivity is 'Anomaly rules: band half-width k·MAD with k = 5 (low), 3.5 (medium), 2.5 (high).';
create index alert_rules_team_id_idx on public.alert_rules (team_id) where enabled;

-- Which metrics rules may name: threshold rules any alertable catalogue metric (or host_down), anomaly
-- rules a rolled-up one. Rerun by private.generate_host_metric_code() when the catalogue grows.
create procedure private.generate_alert_rule_checks()
language plpgsql set search_path = ''
as $$
begin
  alter table public.alert_rules drop constraint if exists alert_rules_metric_known,
    drop constraint if exists alert_rules_anomaly_shape;
  execute format('alter table public.alert_rules add constraint alert_rules_metric_known check (metric in (%s, %L))',
    private.host_metric_list('quote_literal(m.name)', ', ', 'm.alertable'), 'host_down');
  execute format($f$alter table public.alert_rules add constraint alert_rules_anomaly_shape check (
    kind <> 'anomaly' or (threshold > 0 and threshold <= 1 and metric in (%s)))$f$,
    private.host_metric_list('quote_literal(m.name)', ', ', 'm.rollup_type is not null'));
end
$$;
revoke all on procedure private.generate_alert_rule_checks() from public;
call private.generate_alert_rule_checks();

create table public.alert_states (
  rule_id uuid not null references public.alert_rules (id) on delete cascade,
  host_id uuid not null references public.hosts (id) on delete cascade,
  team_id uuid not null references public.teams (id) on delete cascade,
  status text not null default 'ok' constraint alert_states_status_known check (status in ('ok', 'pending', 'firing')),
  value double precision,
  since timestamptz not null default now(),
  pending_since timestamptz,
  recovering_since timestamptz,
  evaluated_at timestamptz not null default now(),
  primary key (rule_id, host_id)
);
comment on table public.alert_states is 'Current state of each rule on each host it covers (ok, pending, firing).';
create index alert_states_host_id_idx on public.alert_states (host_id);
create index alert_states_team_id_idx on public.alert_states (team_id);

create table public.alert_events (
  id bigint generated always as identity primary key,
  team_id uuid not null references public.teams (id) on delete cascade,
  rule_id uuid references public.alert_rules (id) on delete set null,
  host_id uuid references public.hosts (id) on delete cascade,
  -- pending: threshold crossed; firing: held for for_duration; resolved: recovered for keep_firing_for;
  -- cancelled: pending ended before firing.
  kind text not null constraint alert_events_kind_known check (kind in ('pending', 'firing', 'resolved', 'cancelled')),
  from_status text not null,
  to_status text not null,
  rule_name text not null,
  metric text not null,
  severity text not null,
  value double precision,
  threshold double precision,
  reason text,
  silenced boolean not null default false,
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  -- Anomaly events: the baseline and band of the most anomalous point.
  expected double precision,
  band_low double precision,
  band_high double precision,
  score double precision
);
comment on table public.alert_events is 'Every alert state transition: the audit trail. Append-only.';
comment on column public.alert_events.score is 'Anomaly events: robust z-score |value − expected| / (1.4826·MAD) of the most anomalous point.';
create index alert_events_team_id_created_at_idx on public.alert_events (team_id, created_at desc);
create index alert_events_host_id_idx on public.alert_events (host_id);
create index alert_events_rule_id_idx on public.alert_events (rule_id);

create table public.silences (
  id uuid primary key default gen_random_uuid(),
  team_id uuid not null references public.teams (id) on delete cascade,
  -- Each matcher that is set must match; none set = the whole team.
  host_id uuid references public.hosts (id) on delete cascade,
  rule_id uuid references public.alert_rules (id) on delete cascade,
  label_key text constraint silences_label_key_length check (char_length(label_key) between 1 and 100),
  label_value text constraint silences_label_value_length check (char_length(label_value) <= 200),
  starts_at timestamptz not null default now(),
  ends_at timestamptz not null,
  comment text constraint silences_comment_length check (char_length(comment) <= 500),
  created_by uuid references auth.users (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  constraint silences_ends_after_start check (ends_at > starts_at)
);
comment on table public.silences is 'Mute notifications for matching alerts between starts_at and ends_at (events are still recorded).';
create index silences_team_id_idx on public.silences (team_id, ends_at);

create table public.notifications (
  id bigint generated always as identity primary key,
  team_id uuid not null references public.teams (id) on delete cascade,
  event_id bigint not null references public.alert_events (id) on delete cascade,
  channel_id uuid not null references public.channels (id) on delete cascade,
  status text not null default 'pending' constraint notifications_status_known check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts integer not null default 0 constraint notifications_attempts_non_negative check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  -- Every member reads this, so it says why in one word: the receiver's reply and, for unreachable
  -- destinations, the destination itself (internal host names, tokens in error pages) go to
  -- notification_error_details, readable by the team's owners and admins only
  -- (…_create_notification_dispatch.sql).
  last_error text constraint notifications_last_error_length check (char_length(last_error) <= 2000)
    constraint notifications_last_error_is_a_class
    check (last_error ~ '^(unreachable|timeout|blocked|channel_config|channel_disabled|failed|http_error [1-5][0-9]{2})$'),
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  constraint notifications_one_per_event_and_channel unique (event_id, channel_id)
);
comment on table public.notifications is 'Outbox: one row per alert event and channel; the dispatcher sends pending rows due at next_attempt_at.';
comment on column public.notifications.last_error is
  'Why the last attempt failed, as a class (unreachable, timeout, http_error <status>, blocked, channel_config, channel_disabled, failed); the detail is in notification_error_details (admins).';
create index notifications_due_idx on public.notifications (next_attempt_at) where status in ('pending', 'sending');
create index notifications_team_id_idx on public.notifications (team_id);
create index notifications_channel_id_idx on public.notifications (channel_id);

-- RLS -----------------------------------------------------------------------------------------
alter table public.channels enable row level security;
alter table public.channel_secrets enable row level security;
alter table public.alert_rules enable row level security;
alter table public.alert_states enable row level security;
alter table public.alert_events enable row level security;
alter table public.silences enable row level security;
alter table public.notifications enable row level security;

create policy "Members can read their team's channels" on public.channels
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can add channels" on public.channels
  for insert to authenticated with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can change channels" on public.channels
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can remove channels" on public.channels
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

create policy "Admins can read channel secrets" on public.channel_secrets
  for select to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can add channel secrets" on public.channel_secrets
  for insert to authenticated with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can change channel secrets" on public.channel_secrets
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can remove channel secrets" on public.channel_secrets
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

create policy "Members can read their team's alert rules" on public.alert_rules
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can add alert rules" on public.alert_rules
  for insert to authenticated with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can change alert rules" on public.alert_rules
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can remove alert rules" on public.alert_rules
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

create policy "Members can read their team's alert states" on public.alert_states
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Members can read their team's alert events" on public.alert_events
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Members can read their team's notifications" on public.notifications
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));

create policy "Members can read their team's silences" on public.silences
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can add silences" on public.silences
  for insert to authenticated with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can change silences" on public.silences
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));
create policy "Admins can remove silences" on public.silences
  for delete to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]));

grant select, insert, update, delete on public.channels, public.channel_secrets, public.alert_rules, public.silences
  to authenticated;
grant select on public.alert_states, public.alert_events, public.notifications to authenticated;
grant all on public.channels, public.channel_secrets, public.alert_rules, public.alert_states, public.alert_events,
  public.silences, public.notifications to service_role;
