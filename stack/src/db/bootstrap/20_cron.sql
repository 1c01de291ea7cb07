-- pg_cron (local emulation from stack/src/scheduler/extension, jobs run by the stack's scheduler).
-- Enabled here so the database is ready like `supabase start`; migrations should still say
-- `create extension if not exists pg_cron with schema pg_catalog;` because hosted projects need it.
-- Idempotent: run on every stack start.

-- As on hosted Supabase: postgres manages jobs (with grant option); anon and authenticated get nothing.
create or replace function extensions.grant_pg_cron_access() returns event_trigger language plpgsql as $$
begin
  if exists (
    select 1 from pg_event_trigger_ddl_commands() as ev
    join pg_extension as ext on ev.objid = ext.oid
    where ext.extname = 'pg_cron'
  ) then
    grant usage on schema cron to postgres with grant option;
    grant all privileges on all tables in schema cron to postgres with grant option;
    grant all privileges on all sequences in schema cron to postgres with grant option;
    grant all privileges on all functions in schema cron to postgres with grant option;
    alter default privileges in schema cron grant all on tables to postgres with grant option;
    alter default privileges in schema cron grant all on functions to postgres with grant option;
    alter default privileges in schema cron grant all on sequences to postgres with grant option;
  end if;
end
$$;
comment on function extensions.grant_pg_cron_access() is 'Grants access to pg_cron';

do $$
begin
  if not exists (select 1 from pg_event_trigger where evtname = 'issue_pg_cron_access') then
    create event trigger issue_pg_cron_access on ddl_command_end when tag in ('CREATE EXTENSION')
      execute function extensions.grant_pg_cron_access();
  end if;
  if exists (select 1 from pg_available_extensions where name = 'pg_cron') then
    create extension if not exists pg_cron with schema pg_catalog;
  else
    raise notice 'pg_cron is not available in this Postgres: cron.schedule() will not exist. '
      'The stack installs its emulation only into the embedded Postgres, not into DATABASE_URL.';
  end if;
end
$$;
