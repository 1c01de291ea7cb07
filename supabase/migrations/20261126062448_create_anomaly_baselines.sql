-- Seasonal baselines for anomaly detection: expected value and band per host, metric and hour of
-- the week (0 = Monday 00:00 UTC … 167). Written by the detect-anomalies edge function (service role).

create table public.anomaly_baselines (
  host_id uuid not null references public.hosts (id) on delete cascade,
  team_id uuid not null references public.teams (id) on delete cascade,
  metric text not null constraint anomaly_baselines_metric_length check (char_length(metric) between 1 and 100),
  hour_of_week smallint not null constraint anomaly_baselines_hour_of_week_range check (hour_of_week between 0 and 167),
  expected double precision not null,
  band double precision not null constraint anomaly_baselines_band_non_negative check (band >= 0),
  samples integer not null default 0 constraint anomaly_baselines_samples_non_negative check (samples >= 0),
  updated_at timestamptz not null default now(),
  primary key (host_id, metric, hour_of_week)
);
comment on table public.anomaly_baselines is 'Expected value ± band per host, metric and hour of week (UTC), for anomaly detection.';
create index anomaly_baselines_team_id_idx on public.anomaly_baselines (team_id);

alter table public.anomaly_baselines enable row level security;
create policy "Members can read their team's anomaly baselines" on public.anomaly_baselines
  for select to authenticated using (team_id = any ((select private.member_team_ids())::uuid[]));

grant select on public.anomaly_baselines to authenticated;
grant all on public.anomaly_baselines to service_role;
