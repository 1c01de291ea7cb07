-- The seed's `metrics` table is written: cache-snapshots persists each team's server list there
-- (getData(..., { persistToDatabase: true })) at most once per VIBE_SNAPSHOT_PERSIST_EVERY_S
-- (default 300 s), so Studio users can query past fleet snapshots; this job applies their retention.

alter table public.team_settings
  add column snapshot_retention interval not null default interval '30 days'
    constraint team_settings_snapshot_retention_range
      check (snapshot_retention between interval '1 day' and interval '400 days');
comment on column public.team_settings.snapshot_retention is
  'How long persisted fleet snapshots (public.metrics rows) are kept.';

create index metrics_timestamp_idx on public.metrics (timestamp);

create function private.prune_metric_snapshots() returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  v_deleted integer;
begin
  delete from public.metrics m using public.team_settings t
  where t.team_id = m.team_id and m.timestamp < now() - t.snapshot_retention;
  get diagnostics v_deleted = row_count;
  return v_deleted;
end
$$;
comment on function private.prune_metric_snapshots() is
  'Deletes persisted fleet snapshots older than their team''s snapshot_retention; returns the count.';
revoke all on function private.prune_metric_snapshots() from public, anon, authenticated;

do $$
begin
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-metrics-retention', '25 * * * *', $job$select private.prune_metric_snapshots()$job$);
  end if;
end
$$;
