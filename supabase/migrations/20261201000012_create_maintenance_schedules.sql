-- Time-series housekeeping and host-down checks, scheduled with pg_cron:
--   every minute: 1-minute rollups of the last 10 minutes, host-down rules;
--   hourly (:05):  1-hour rollups of the last 3 hours;
--   hourly (:15):  partitions ahead, compaction of raw samples older than a day, retention per team,
--                  dropping partitions behind.

create function private.run_maintenance() returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  v_created integer := 0;
  v_compacted integer;
  v_dropped integer := 0;
  v_deleted integer := 0;
  v_n integer;
  v_max_raw interval;
  v_table regclass;
begin
  foreach v_table in array array['public.host_samples', 'public.app_samples', 'public.db_samples']::regclass[] loop
    v_created := v_created + private.ensure_daily_partitions(v_table, current_date - 1, current_date + 3);
  end loop;
  select coalesce(max(t.raw_retention), interval '7 days') into v_max_raw from public.team_settings t;

  v_compacted := private.compact_host_samples(now() - interval '1 day');

  -- Retention per team and tier.
  delete from public.host_samples_compact c using public.hosts h, public.team_settings t
  where h.id = c.host_id and t.team_id = h.team_id and c.hour < now() - t.raw_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.host_samples s using public.hosts h, public.team_settings t
  where h.id = s.host_id and t.team_id = h.team_id and s.ts < now() - t.raw_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.app_samples s using public.hosts h, public.team_settings t
  where h.id = s.host_id and t.team_id = h.team_id and s.ts < now() - t.raw_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.db_samples s using public.hosts h, public.team_settings t
  where h.id = s.host_id and t.team_id = h.team_id and s.ts < now() - t.raw_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.host_samples_1m r using public.hosts h, public.team_settings t
  where h.id = r.host_id and t.team_id = h.team_id and r.bucket < now() - t.minute_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.app_samples_1m r using public.hosts h, public.team_settings t
  where h.id = r.host_id and t.team_id = h.team_id and r.bucket < now() - t.minute_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.host_samples_1h r using public.hosts h, public.team_settings t
  where h.id = r.host_id and t.team_id = h.team_id and r.bucket < now() - t.hour_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;
  delete from public.app_samples_1h r using public.hosts h, public.team_settings t
  where h.id = r.host_id and t.team_id = h.team_id and r.bucket < now() - t.hour_retention;
  get diagnostics v_n = row_count; v_deleted := v_deleted + v_n;

  -- Partitions expire with the longest raw retention; raw host partitions only once compaction emptied them.
  v_dropped := v_dropped + private.drop_daily_partitions_before('public.host_samples', (now() - v_max_raw)::date, true);
  v_dropped := v_dropped + private.drop_daily_partitions_before('public.app_samples', (now() - v_max_raw)::date, false);
  v_dropped := v_dropped + private.drop_daily_partitions_before('public.db_samples', (now() - v_max_raw)::date, false);

  return jsonb_build_object('partitions_created', v_created, 'hours_compacted', v_compacted,
    'rows_deleted', v_deleted, 'partitions_dropped', v_dropped);
end
$$;
comment on function private.run_maintenance() is
  'Creates partitions ahead, compacts raw samples older than a day, applies retention, drops partitions behind.';
revoke all on function private.run_maintenance() from public, anon, authenticated;

-- pg_cron on hosted (enable the extension) and the local stack's emulation share this interface.
do $$
begin
  if not exists (select 1 from pg_namespace where nspname = 'cron') then
    begin
      create extension if not exists pg_cron;
    exception when others then
      raise notice 'pg_cron is not available (%); schedule the jobs in this migration by hand', sqlerrm;
    end;
  end if;
  if exists (select 1 from pg_namespace where nspname = 'cron') then
    perform cron.schedule('vibe-rollup-minute', '* * * * *',
      $job$select private.rollup_samples('minute', now() - interval '10 minutes', now())$job$);
    perform cron.schedule('vibe-hosts-down', '* * * * *', $job$select private.check_hosts_down()$job$);
    perform cron.schedule('vibe-rollup-hour', '5 * * * *',
      $job$select private.rollup_samples('hour', now() - interval '3 hours', now())$job$);
    perform cron.schedule('vibe-maintenance', '15 * * * *', $job$select private.run_maintenance()$job$);
  end if;
end
$$;
