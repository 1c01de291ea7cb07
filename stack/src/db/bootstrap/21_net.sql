-- pg_net (local emulation from stack/src/scheduler/extension, requests sent by the stack's worker).
-- Enabled here as `supabase start` does (its webhook setup creates it); the grants that let anon and
-- authenticated call net.http_get/http_post come with Database Webhooks in 22_supabase_functions.sql.
-- Idempotent: run on every stack start.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_net') then
    create extension if not exists pg_net with schema extensions;
  else
    raise notice 'pg_net is not available in this Postgres: net.http_post() will not exist. '
      'The stack installs its emulation only into the embedded Postgres, not into DATABASE_URL.';
  end if;
end
$$;
