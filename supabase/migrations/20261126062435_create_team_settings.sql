-- Per-team retention and host-down settings, with the issue's defaults.

create table public.team_settings (
  team_id uuid primary key references public.teams (id) on delete cascade,
  -- Raw samples (and their compacted form) are kept this long.
  raw_retention interval not null default interval '7 days'
    constraint team_settings_raw_retention_range check (raw_retention between interval '1 hour' and interval '90 days'),
  minute_retention interval not null default interval '30 days'
    constraint team_settings_minute_retention_range check (minute_retention between interval '1 day' and interval '400 days'),
  hour_retention interval not null default interval '400 days'
    constraint team_settings_hour_retention_range check (hour_retention between interval '7 days' and interval '3650 days'),
  -- A host is offline after this many sample intervals without a sample.
  offline_after_intervals integer not null default 3
    constraint team_settings_offline_after_range check (offline_after_intervals between 1 and 1000),
  updated_at timestamptz not null default now()
);
comment on table public.team_settings is 'Retention per tier (raw 7 d, 1-minute 30 d, 1-hour 400 d by default) and host-offline threshold.';

create function private.add_team_settings() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.team_settings (team_id) values (new.id) on conflict do nothing;
  return null;
end
$$;
create trigger teams_add_settings after insert on public.teams
  for each row execute function private.add_team_settings();
insert into public.team_settings (team_id) select id from public.teams on conflict do nothing;

create trigger team_settings_touch before update on public.team_settings
  for each row execute function private.touch_updated_at();

alter table public.team_settings enable row level security;
create policy "Members can read their team's settings" on public.team_settings
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));
create policy "Admins can change their team's settings" on public.team_settings
  for update to authenticated using (team_id = any ((select private.admin_team_ids())::uuid[]))
  with check (team_id = any ((select private.admin_team_ids())::uuid[]));

grant select, update on public.team_settings to authenticated;
grant all on public.team_settings to service_role;
